// Scores passwords with zxcvbn-ts off the API's event loop (see strength-scorer.service.ts):
// a long password costs milliseconds of CPU that would otherwise delay every other request.
// Plain CommonJS so that the same file runs under the test runner and from dist/.
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require('@zxcvbn-ts/core');
const { adjacencyGraphs, dictionary: commonDictionary } = require('@zxcvbn-ts/language-common');
const { dictionary: englishDictionary, translations } = require('@zxcvbn-ts/language-en');

const estimator = new ZxcvbnFactory({
  dictionary: { ...commonDictionary, ...englishDictionary },
  graphs: adjacencyGraphs,
  translations,
  ...workerData.options,
});

parentPort.on('message', ({ id, password, userInputs }) => {
  try {
    parentPort.postMessage({ id, score: estimator.check(password, userInputs).score });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});
