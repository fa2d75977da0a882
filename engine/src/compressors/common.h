#pragma once
// Helpers shared by the compressors: building units over a prompt, pinning, budgeted top-k selection.

#include "terse/compressor.h"

#include <vector>

namespace terse::detail {

// Builds an OptionSpec (the one builder every compressor's options() uses).
OptionSpec makeOption(std::string name, std::string label, std::string help, OptionSpec::Type type,
                      std::string def, double lo = 0, double hi = 1, double step = 0.01,
                      std::vector<std::string> choices = {});

// Word units (splitWords) over every segment; instruction/question units are marked forced+kept
// when `keepNonContext` is true.
std::vector<Unit> wordUnits(const Prompt &prompt, bool keepNonContext);

// Applies the user's pinned spans: a unit overlapping a keep pin is forced kept, a drop pin forced dropped.
void applyPins(std::vector<Unit> &units, const std::vector<PinnedSpan> &pins);

// The values of a per-unit series of `r` (a score or an internal series) when it has one value per unit.
const std::vector<float> *unitValues(const CompressionResult &r, const char *name);

// Number of units to keep overall for the options (targetTokens, else round(rate * units.size())).
long keepBudget(const std::vector<Unit> &units, const CompressOptions &options);

// Keeps the forced-kept units, drops forced-dropped ones, and fills the rest of `budget` with the
// highest-scoring free units (ties: earlier unit first). Returns the score threshold (the lowest kept
// free score; +inf when none kept).
double keepTopK(std::vector<Unit> &units, const std::vector<float> &scores, long budget);

// Python's str.split(" "): every single space separates, so empty pieces appear between spaces.
std::vector<std::string> splitOnSpaces(const std::string &text);

// numpy.percentile(values, q) with the default linear method (numpy 1.24 _quantile / _lerp); with `skipNaN`
// numpy.nanpercentile. NaN when no value is left. The one percentile every method's reference mode uses.
double numpyPercentile(std::vector<double> values, double q, bool skipNaN = false);

}  // namespace terse::detail
