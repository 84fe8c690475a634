/** What the traffic page's sections share. */
export type List<T> = { items: T[] };

export const when = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;
