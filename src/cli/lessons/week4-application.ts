import { pyStr, shapeStr } from '../../course/numpyStr.js';
import { lLayerModel, predict, twoLayerModel } from '../../course/week4.js';
import { costLine } from '../../course/print.js';
import { loadCat } from '../../data/cat.js';
import { type Lesson, sumOfMatches } from './lesson.js';

// The Application notebook: the two-layer and the four-layer network on the cat images, 2500
// iterations each, with the costs and accuracies the notebook prints.
export const week4Application: Lesson = {
  name: 'week4-application',
  notebook: 'Deep Neural Network for Image Classification: Application (week 4)',
  summary: 'the cat images with [12288, 7, 1] and [12288, 20, 7, 5, 1], 2500 iterations each (about a minute)',
  options: [],
  async run(print) {
    const { train, test } = await loadCat();
    const numPx = Math.round(Math.sqrt(train.X.rows / 3));
    print(`Number of training examples: ${train.X.cols}`);
    print(`Number of testing examples: ${test.X.cols}`);
    print(`Each image is of size: (${numPx}, ${numPx}, 3)`);
    print(`train_x's shape: ${shapeStr(train.X.shape)}`);
    print(`test_x's shape: ${shapeStr(test.X.shape)}`);

    const results: Record<string, unknown> = {};
    const models = [
      // two_layer_model prints "{}".format(cost) (every digit), L_layer_model "%f" (six).
      { name: 'twoLayerModel', train: () => twoLayerModel(train.X, train.Y, [12288, 7, 1], { learningRate: 0.0075, numIterations: 2500, onIteration: every100((i, J) => `Cost after iteration ${i}: ${pyStr(J)}`) }) },
      { name: 'lLayerModel', train: () => lLayerModel(train.X, train.Y, [12288, 20, 7, 5, 1], { learningRate: 0.0075, numIterations: 2500, onIteration: every100(costLine) }) },
    ];
    for (const m of models) {
      const { parameters, costs } = m.train();
      const trainAccuracy = sumOfMatches(predict(train.X, parameters), train.Y);
      const testAccuracy = sumOfMatches(predict(test.X, parameters), test.Y);
      print(`Accuracy: ${pyStr(trainAccuracy)}`);
      print(`Accuracy: ${pyStr(testAccuracy)}`);
      results[m.name] = { costs, trainAccuracy, testAccuracy };
    }
    return results;

    function every100(line: (i: number, J: number) => string) {
      return (i: number, J: number) => {
        if (i % 100 === 0) print(line(i, J));
      };
    }
  },
};
