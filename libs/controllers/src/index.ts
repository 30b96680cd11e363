/**
 * @packageDocumentation
 * `@nasx/controllers`: the reinforcement-learning controllers of nasx's searchers — an LSTM
 * policy over a sequence of categorical decisions (the NASNet/ENAS controller that MnasNet,
 * GraphNAS and AGNN use), trained by policy gradient. Plain float64 JavaScript: no tensor backend,
 * the same numbers everywhere.
 */
export { LstmPolicy } from './lstm-policy';
