import { createRequire } from 'node:module';
const addon = createRequire(import.meta.url)('./dist/tensor_native.node');
addon.load('libopenblas.so.0');
const buf = new ArrayBuffer(4 * 3 * 1024 * 3072);
const f = new Float32Array(buf); for (let i = 0; i < f.length; i++) f[i] = Math.random() - 0.5;
const A = 0, B = 4 * 1024 * 3072, C = 8 * 1024 * 3072;
const cases = [[false,false,1024,3072,768,1],[false,true,1024,768,3072,1],[true,false,768,3072,1024,1],[false,true,1024,12,768,1],[false,false,1024,768,12,1],[true,false,12,768,1024,1],[false,true,128,128,64,96],[false,false,128,64,128,96]];
for (const [ta,tb,m,n,k,batch] of cases) {
  const s = []; for (let r = 0; r < 9; r++) { const t = performance.now(); addon.gemm(buf, ta, tb, m, n, k, batch, A, m*k, B, batch>1?k*n:0, C); s.push(performance.now() - t); }
  s.sort((a,b)=>a-b); console.log(`${ta?'T':'N'}${tb?'T':'N'} m${m} n${n} k${k} b${batch}`, s[4].toFixed(2), 'ms', (2*m*n*k*batch/s[4]/1e6).toFixed(1), 'GFLOP/s');
}
