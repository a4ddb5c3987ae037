/**
 * Layer normalisation over the last axis, as PyTorch's `nn.LayerNorm`:
 * y = (x − mean) / sqrt(var + eps) · weight + bias, with the biased variance. `eps` comes from the model
 * config (1e-7 DeBERTa, 1e-12 BERT, 1e-5 RoBERTa; tfjs-layers' default 1e-3 would be wrong for all).
 *
 * The implementation is `@adalora/tensor-native`'s: one fused pass forward and backward where its native
 * kernels are installed (the default wasm path of `@adalora/tensor`), tfjs-core's `moments` elsewhere.
 */
export { layerNorm } from '@adalora/tensor-native';
