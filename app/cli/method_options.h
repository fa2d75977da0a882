#pragma once
// Method-specific options on the command line: `--param KEY=VALUE` parsing, validation against the
// method's OptionSpecs, and the option listing of `terse compress --method M --help`.

#include "terse/compressor.h"
#include "terse/result.h"

#include <map>
#include <string>
#include <vector>

namespace terse::cli {

using terse::findMethod; // the registered method by name (terse/compressor.h)

// Parses the values of repeated `--param KEY=VALUE` options and checks each key and value against
// the method's option specs (validateMethodParams). InvalidArgument names the key (listing the
// valid ones) or the bad value.
Result<std::map<std::string, std::string>>
parseMethodParams(const MethodInfo &method, const std::vector<std::string> &assignments);

// Prints the method's name, description and every option with its type, range and default to
// stdout.
void printMethodOptions(const MethodInfo &method);

} // namespace terse::cli
