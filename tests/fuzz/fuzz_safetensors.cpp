// libFuzzer target: safetensors weight files (the input is the whole file, written as
// model.safetensors). See fuzz_weights.h.
#include "fuzz_weights.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    terse::fuzz::fuzzWeightFile("model.safetensors", data, size, /*asModel=*/false);
    return 0;
}
