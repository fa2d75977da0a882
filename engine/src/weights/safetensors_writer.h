#pragma once
// Writes tensors to a .safetensors file (the format the engine loads): an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian
// data.

#include "terse/result.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace terse::weights {

// Writes `tensors` (name -> contiguous CPU tensor; F32, F16 or BF16) atomically (temp file +
// rename).
Result<void> writeSafetensors(const std::string &path,
                              const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                              const std::map<std::string, std::string> &metadata = {});

// Reads a .safetensors file into CPU tensors of their stored dtype (checkpoint resume), through
// loadSafetensors.
Result<std::map<std::string, torch::Tensor>> readSafetensors(const std::string &path);

} // namespace terse::weights
