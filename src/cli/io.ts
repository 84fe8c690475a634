/** Small I/O helpers shared by the command modules. */

/** All of standard input, as text. */
export async function readStdin(): Promise<string> {
  let data = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) data += chunk as string;
  return data;
}
