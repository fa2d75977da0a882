#pragma once
// Binary and JSON encodings of result parts for the session store and its export format.
// Blobs are little-endian on every host. Decoders throw StoreException (FormatError) naming
// the field (`what`) when the data is malformed.

#include "terse/compressor.h"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <vector>

namespace terse::store {

// float32 array, 4 bytes per value, bit-exact (NaN payloads included).
std::string encodeFloats(const std::vector<float> &values);
std::vector<float> decodeFloats(const std::string &bytes, const std::string &what);
// int32 array.
std::string encodeInts(const std::vector<int> &values);
std::vector<int> decodeInts(const std::string &bytes, const std::string &what);
// Units: u32 count, then per unit i32 segment, u32 begin, u32 end, i32 stage, u8 flags
// (bit 0 kept, bit 1 forced). Spans above 4 GiB are rejected (prompts are limited to 64 MiB).
std::string encodeUnits(const std::vector<Unit> &units);
std::vector<Unit> decodeUnits(const std::string &bytes, const std::string &what);

// Runs saved before issue 19 kept a method's bookkeeping (byte offsets, flags, chunk indices) among
// its score series; those are not scores and are dropped when such a run is loaded or imported.
bool isLegacyBookkeeping(const std::string &seriesName);

std::string base64Encode(const std::string &bytes);
std::string base64Decode(const std::string &text, const std::string &what);

SegmentRole parseRole(const std::string &name, const std::string &what);
CompressionMode parseModeOrThrow(const std::string &name, const std::string &what);

// A double as JSON: a number when finite, else "nan", "inf" or "-inf".
nlohmann::json jsonDouble(double v);
double doubleFromJson(const nlohmann::json &j, const std::string &what);

nlohmann::json segmentsToJson(const std::vector<PromptSegment> &segments);
std::vector<PromptSegment> segmentsFromJson(const nlohmann::json &j, const std::string &what);
nlohmann::json paramsToJson(const std::map<std::string, std::string> &params);
std::map<std::string, std::string> paramsFromJson(const nlohmann::json &j, const std::string &what);
nlohmann::json pinnedToJson(const std::vector<PinnedSpan> &pinned);
std::vector<PinnedSpan> pinnedFromJson(const nlohmann::json &j, const std::string &what);
nlohmann::json thresholdsToJson(const std::vector<Threshold> &thresholds);
std::vector<Threshold> thresholdsFromJson(const nlohmann::json &j, const std::string &what);
nlohmann::json warningsToJson(const std::vector<Warning> &warnings);
std::vector<Warning> warningsFromJson(const nlohmann::json &j, const std::string &what);
nlohmann::json metricsToJson(const std::map<std::string, double> &metrics);
std::map<std::string, double> metricsFromJson(const nlohmann::json &j, const std::string &what);

// Whole options (for the working state and the export).
nlohmann::json optionsToJson(const CompressOptions &options);
CompressOptions optionsFromJson(const nlohmann::json &j, const std::string &what);
// Whole result with score series as base64 float32 (for the export).
nlohmann::json resultToExportJson(const CompressionResult &result);
CompressionResult resultFromExportJson(const nlohmann::json &j, const std::string &what);

// Parses JSON text; FormatError names `what` and the parser's position.
nlohmann::json parseJson(const std::string &text, const std::string &what);
// Dumps JSON; InvalidInput (StoreException) when a string is not valid UTF-8.
std::string dumpJson(const nlohmann::json &j, int indent = -1);

} // namespace terse::store
