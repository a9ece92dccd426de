import { corr2d, tensor, toNested } from 'convproof';

const X = tensor([
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
]);
const K = tensor([
  [0, 1],
  [2, 3],
]);
console.log(toNested(corr2d(X, K)));
