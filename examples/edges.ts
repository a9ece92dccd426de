import { corr2d, tensor, toNested } from 'convproof';

// A 6×8 image: white (1) on the left and right, black (0) in columns 2–5.
const rows = Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]);
const X = tensor(rows);
const K = tensor([[1, -1]]);

const Y = corr2d(X, K);
for (const row of toNested<number[][]>(Y)) console.log(row.map((v) => String(v).padStart(2)).join(' '));

// The transposed image has only horizontal edges, which K cannot see.
const Xt = tensor(rows[0].map((_, j) => rows.map((r) => r[j])));
console.log(
  'transposed image, all zeros:',
  toNested<number[][]>(corr2d(Xt, K))
    .flat()
    .every((v) => v === 0),
);
