const ATTACK = `{"myDomainHosts":[${'1,'.repeat(2_450_000)}1]}`;
const buf = Buffer.from(ATTACK);
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  const s = buf.toString('utf8'); const t1 = performance.now();
  const v = JSON.parse(s); const t2 = performance.now();
  console.log('toString', (t1-t).toFixed(1), 'parse', (t2-t1).toFixed(1));
}
const B = `{"myDomainHosts":["${'a'.repeat(4_900_000)}"]}`;
let t = performance.now(); JSON.parse(B); console.log('one long string', (performance.now()-t).toFixed(1));
