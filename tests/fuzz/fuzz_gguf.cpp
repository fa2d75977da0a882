// libFuzzer target: gguf weight files (the input is the whole file, written as model.gguf). See
// fuzz_weights.h.
#include "fuzz_weights.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    terse::fuzz::fuzzWeightFile("model.gguf", data, size, /*asModel=*/true);
    return 0;
}
