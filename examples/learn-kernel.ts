import { Conv2d, corr2d, sgd, tensor } from 'convproof';

const rows = Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]);
const X = tensor(rows);
const x = tensor(X.data, [1, 1, 6, 8]); // a batch of one 1-channel image
const target = corr2d(X, tensor([[1, -1]])).data; // what the kernel should produce

const layer = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: [1, 2], bias: false, seed: 0 });
for (let step = 1; step <= 10; step++) {
  const y = layer.forward(x);
  const diff = Array.from(y.data, (v, i) => v - target[i]);
  const loss = diff.reduce((s, d) => s + d * d, 0);
  layer.zeroGrad();
  layer.backward(
    tensor(
      diff.map((d) => 2 * d),
      y.shape,
    ),
  );
  sgd(layer.parameters(), 0.03);
  if (step % 2 === 0) console.log(`epoch ${step}, loss ${loss.toFixed(3)}`);
}
console.log(Array.from(layer.weight.data, (v) => v.toFixed(3)));
