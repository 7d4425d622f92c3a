import { numpyStr, pyStr, shapeStr } from '../../course/numpyStr.js';
import { initializeWithZeros, model, optimize, predict, propagate, sigmoid } from '../../course/week2.js';
import { loadCat } from '../../data/cat.js';
import type { Dataset } from '../../data/dataset.js';
import { Matrix } from '../../matrix.js';
import type { Lesson } from './lesson.js';

// The week 2 notebook: the cat data's shapes, then each graded function on its test case, the
// model on the cat data, and the study of the learning rate.
export const week2Logistic: Lesson = {
  name: 'week2-logistic',
  notebook: 'Logistic Regression with a Neural Network mindset (week 2)',
  summary: 'logistic regression on the cat images: sigmoid, propagate, optimize, predict, model, the learning rate',
  options: [],
  async run(print) {
    const { train, test } = await loadCat();
    return cells(print, train, test);
  },
};

function cells(print: (line: string) => void, train: Dataset, test: Dataset): Record<string, unknown> {
  {
    const numPx = Math.round(Math.sqrt(train.X.rows / 3));
    print(`Number of training examples: m_train = ${train.X.cols}`);
    print(`Number of testing examples: m_test = ${test.X.cols}`);
    print(`Height/Width of each image: num_px = ${numPx}`);
    print(`Each image is of size: (${numPx}, ${numPx}, 3)`);
    print(`train_set_x_flatten shape: ${shapeStr(train.X.shape)}`);
    print(`train_set_y shape: ${shapeStr(train.Y.shape)}`);
    print(`test_set_x_flatten shape: ${shapeStr(test.X.shape)}`);
    print(`test_set_y shape: ${shapeStr(test.Y.shape)}`);
    // The pixels before the notebook's / 255.
    const pixels = [0, 1, 2, 3, 4].map((f) => Math.round(train.X.get(f, 0) * 255));
    print(`sanity check after reshaping: ${numpyStr(pixels, { integer: true })}`);

    print(`sigmoid([0, 2]) = ${numpyStr(Array.from(sigmoid(Matrix.from([[0, 2]])).data))}`);

    const [w0, b0] = initializeWithZeros(2);
    print(`w = ${numpyStr(w0)}`);
    print(`b = ${b0}`);

    const w = Matrix.from([[1], [2]]);
    const b = 2;
    const X = Matrix.from([[1, 2, -1], [3, 4, -3.2]]);
    const Y = Matrix.from([[1, 0, 1]]);
    const [grads, cost] = propagate(w, b, X, Y);
    print(`dw = ${numpyStr(grads.dw)}`);
    print(`db = ${pyStr(grads.db)}`);
    print(`cost = ${pyStr(cost)}`);

    const [params, lastGrads] = optimize(w, b, X, Y, 100, 0.009, false);
    print(`w = ${numpyStr(params.w)}`);
    print(`b = ${pyStr(params.b)}`);
    print(`dw = ${numpyStr(lastGrads.dw)}`);
    print(`db = ${pyStr(lastGrads.db)}`);

    const predictions = predict(Matrix.from([[0.1124579], [0.23106775]]), -0.3, Matrix.from([[1, -1.1, -3.2], [1.2, 2, 0.1]]));
    print(`predictions = ${numpyStr(predictions)}`);

    const d = model(train.X, train.Y, test.X, test.Y, 2000, 0.005, print);

    const study: { learningRate: number; trainAccuracy: number; testAccuracy: number }[] = [];
    for (const lr of [0.01, 0.001, 0.0001]) {
      print(`learning rate is: ${pyStr(lr)}`);
      const r = model(train.X, train.Y, test.X, test.Y, 1500, lr, false);
      print(`train accuracy: ${pyStr(r.trainAccuracy)} %`);
      print(`test accuracy: ${pyStr(r.testAccuracy)} %`);
      print('');
      print('-------------------------------------------------------');
      print('');
      study.push({ learningRate: lr, trainAccuracy: r.trainAccuracy, testAccuracy: r.testAccuracy });
    }
    return { costs: d.costs, trainAccuracy: d.trainAccuracy, testAccuracy: d.testAccuracy, learningRates: study };
  }
}
