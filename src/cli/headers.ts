// Placeholder: the 'headers' command is being built; see the issue that owns it.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write("corsgate headers: not available yet\n");
  return 2;
}
