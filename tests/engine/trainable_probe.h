#pragma once
// Torch-side checks of the trainers' models (engine/src/train/trainable.h) for test_trainable: this
// header is torch-free so the Qt test includes it (design.md 2.1: no file includes both Qt and
// torch).

namespace terse::test {

// Worst relative error between autograd's gradients and central differences (float64) over probes
// of every parameter: a GQA Llama (4 query heads on 2 KV heads, 2 layers, RoPE) on 8 tokens, and
// the same on 2 x 40 tokens in 16-row attention blocks.
double llamaGradientError();
double llamaBlockedGradientError();
// The same for a one-layer BERT on a padded batch; `paddingIgnored` is set when changing a padded
// token leaves the real rows' logits exactly as they were.
double bertGradientError(bool &paddingIgnored);

// Scaling a q_proj weight in place (as AdamW steps it) changes the logits; they come back in fp32.
bool inPlaceUpdateReachesForward(bool &logitsFp32);

struct DropoutCheck {
    bool evalDeterministic = false, trainVaries = false, trainDiffersFromEval = false;
};
DropoutCheck dropoutCheck(); // a BERT with dropout 0.5, setTraining(false) and (true)

struct AutocastCheck {
    double maxDiff = 0, maxLogit = 0; // bf16 autocast logits vs fp32
    bool logitsFp32 = false;          // logits still come back in fp32 under autocast
    bool fp32After = false;           // identical fp32 logits after the scope
    bool fp32WhenDisabled = false;    // and inside a disabled scope
};
AutocastCheck autocastCheck();

} // namespace terse::test
