// libFuzzer target: llama2c weight files (the input is the whole file, written as model.bin). See
// fuzz_weights.h.
#include "fuzz_weights.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    terse::fuzz::fuzzWeightFile("model.bin", data, size, /*asModel=*/true);
    return 0;
}
