#include "store/codec.h"

#include "core/base64.h"

#include "store/sqlite_db.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace terse::store {

using nlohmann::json;

namespace {

static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559,
              "float32 blobs need IEEE floats");

template <typename T> T toLittle(T v)
{
    if constexpr (std::endian::native == std::endian::big) {
        unsigned char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        for (std::size_t i = 0; i < sizeof(T) / 2; ++i)
            std::swap(b[i], b[sizeof(T) - 1 - i]);
        std::memcpy(&v, b, sizeof(T));
    }
    return v;
}

template <typename T> void put(std::string &out, std::size_t &pos, T v)
{
    v = toLittle(v);
    std::memcpy(out.data() + pos, &v, sizeof(T));
    pos += sizeof(T);
}

template <typename T> T get(const std::string &in, std::size_t &pos)
{
    T v;
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return toLittle(v);
}

[[noreturn]] void bad(const std::string &what, const std::string &why)
{
    throwError(ErrorCode::FormatError, what + ": " + why);
}

constexpr std::size_t kUnitBytes = 4 + 4 + 4 + 4 + 1;

const json &need(const json &j, const char *key, const std::string &what)
{
    if (!j.is_object())
        bad(what, "expected an object");
    auto it = j.find(key);
    if (it == j.end())
        bad(what + "." + key, "missing");
    return *it;
}

std::string needString(const json &j, const char *key, const std::string &what)
{
    const json &v = need(j, key, what);
    if (!v.is_string())
        bad(what + "." + key, "expected a string");
    return v.get<std::string>();
}

std::int64_t needInt(const json &j, const char *key, const std::string &what, std::int64_t lo,
                     std::int64_t hi)
{
    const json &v = need(j, key, what);
    if (!v.is_number_integer())
        bad(what + "." + key, "expected an integer");
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
        bad(what + "." + key, "out of range");
    const auto x = v.get<std::int64_t>();
    if (x < lo || x > hi)
        bad(what + "." + key,
            "out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return x;
}

bool needBool(const json &j, const char *key, const std::string &what)
{
    const json &v = need(j, key, what);
    if (!v.is_boolean())
        bad(what + "." + key, "expected true or false");
    return v.get<bool>();
}

const json &needArray(const json &j, const char *key, const std::string &what)
{
    const json &v = need(j, key, what);
    if (!v.is_array())
        bad(what + "." + key, "expected an array");
    return v;
}

constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxUint32 = std::numeric_limits<std::uint32_t>::max();

} // namespace

std::string encodeFloats(const std::vector<float> &values)
{
    std::string out(values.size() * 4, '\0');
    if constexpr (std::endian::native == std::endian::little) {
        if (!values.empty())
            std::memcpy(out.data(), values.data(), out.size());
    } else {
        std::size_t pos = 0;
        for (float f : values)
            put(out, pos, std::bit_cast<std::uint32_t>(f));
    }
    return out;
}

std::vector<float> decodeFloats(const std::string &bytes, const std::string &what)
{
    if (bytes.size() % 4 != 0)
        bad(what,
            "float32 data of " + std::to_string(bytes.size()) + " bytes is not a multiple of 4");
    std::vector<float> v(bytes.size() / 4);
    if constexpr (std::endian::native == std::endian::little) {
        if (!v.empty())
            std::memcpy(v.data(), bytes.data(), bytes.size());
    } else {
        std::size_t pos = 0;
        for (auto &f : v)
            f = std::bit_cast<float>(get<std::uint32_t>(bytes, pos));
    }
    return v;
}

std::string encodeInts(const std::vector<int> &values)
{
    std::string out(values.size() * 4, '\0');
    std::size_t pos = 0;
    for (int x : values)
        put(out, pos, static_cast<std::int32_t>(x));
    return out;
}

std::vector<int> decodeInts(const std::string &bytes, const std::string &what)
{
    if (bytes.size() % 4 != 0)
        bad(what,
            "int32 data of " + std::to_string(bytes.size()) + " bytes is not a multiple of 4");
    std::vector<int> v(bytes.size() / 4);
    std::size_t pos = 0;
    for (auto &x : v)
        x = get<std::int32_t>(bytes, pos);
    return v;
}

std::string encodeUnits(const std::vector<Unit> &units)
{
    if (units.size() > kMaxUint32)
        throwError(ErrorCode::InvalidInput,
                   "too many units to store (" + std::to_string(units.size()) + ")");
    std::string out(4 + units.size() * kUnitBytes, '\0');
    std::size_t pos = 0;
    put(out, pos, static_cast<std::uint32_t>(units.size()));
    for (const auto &u : units) {
        if (u.span.begin > kMaxUint32 || u.span.end > kMaxUint32)
            throwError(ErrorCode::InvalidInput,
                       "a unit's span lies beyond 4 GiB and cannot be stored");
        put(out, pos, static_cast<std::int32_t>(u.segment));
        put(out, pos, static_cast<std::uint32_t>(u.span.begin));
        put(out, pos, static_cast<std::uint32_t>(u.span.end));
        put(out, pos, static_cast<std::int32_t>(u.stage));
        put(out, pos, static_cast<std::uint8_t>((u.kept ? 1 : 0) | (u.forced ? 2 : 0)));
    }
    return out;
}

std::vector<Unit> decodeUnits(const std::string &bytes, const std::string &what)
{
    if (bytes.size() < 4)
        bad(what, "unit data is truncated");
    std::size_t pos = 0;
    const auto n = get<std::uint32_t>(bytes, pos);
    if (bytes.size() != 4 + std::size_t(n) * kUnitBytes)
        bad(what, "unit data holds " + std::to_string(bytes.size()) + " bytes for " +
                      std::to_string(n) + " units");
    std::vector<Unit> units(n);
    for (auto &u : units) {
        u.segment = get<std::int32_t>(bytes, pos);
        u.span.begin = get<std::uint32_t>(bytes, pos);
        u.span.end = get<std::uint32_t>(bytes, pos);
        u.stage = get<std::int32_t>(bytes, pos);
        const auto flags = get<std::uint8_t>(bytes, pos);
        u.kept = flags & 1;
        u.forced = flags & 2;
    }
    return units;
}

namespace {
}

bool isLegacyBookkeeping(const std::string &seriesName)
{
    static const char *const kNames[] = {"piece_offset",  "piece_bytes", "sentence_first",
                                         "protected",     "force_token", "chunk",
                                         "target_tokens", "word_offset", "word_bytes"};
    for (const char *n : kNames)
        if (seriesName == n)
            return true;
    return false;
}

std::string base64Encode(const std::string &bytes)
{
    return detail::base64Encode(bytes);
}

std::string base64Decode(const std::string &text, const std::string &what)
{
    std::size_t at = 0;
    auto out = detail::base64Decode(text, &at);
    if (!out)
        bad(what, "invalid base64 at character " + std::to_string(at));
    return std::move(*out);
}

SegmentRole parseRole(const std::string &name, const std::string &what)
{
    if (name == "instruction")
        return SegmentRole::Instruction;
    if (name == "context")
        return SegmentRole::Context;
    if (name == "question")
        return SegmentRole::Question;
    bad(what, "unknown role '" + name + "' (instruction, context or question)");
}

CompressionMode parseModeOrThrow(const std::string &name, const std::string &what)
{
    auto m = parseMode(name);
    if (!m)
        bad(what, m.error().detail);
    return *m;
}

json jsonDouble(double v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    return v;
}

double doubleFromJson(const json &j, const std::string &what)
{
    if (j.is_number())
        return j.get<double>();
    if (j.is_string()) {
        const auto s = j.get<std::string>();
        if (s == "nan")
            return std::numeric_limits<double>::quiet_NaN();
        if (s == "inf")
            return std::numeric_limits<double>::infinity();
        if (s == "-inf")
            return -std::numeric_limits<double>::infinity();
    }
    bad(what, "expected a number (or \"nan\", \"inf\", \"-inf\")");
}

json segmentsToJson(const std::vector<PromptSegment> &segments)
{
    json a = json::array();
    for (const auto &s : segments)
        a.push_back({{"role", roleName(s.role)}, {"text", s.text}});
    return a;
}

std::vector<PromptSegment> segmentsFromJson(const json &j, const std::string &what)
{
    if (!j.is_array())
        bad(what, "expected an array of segments");
    std::vector<PromptSegment> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string w = what + "[" + std::to_string(i) + "]";
        PromptSegment s;
        s.role = parseRole(needString(j[i], "role", w), w + ".role");
        s.text = needString(j[i], "text", w);
        out.push_back(std::move(s));
    }
    return out;
}

json paramsToJson(const std::map<std::string, std::string> &params)
{
    json o = json::object();
    for (const auto &[k, v] : params)
        o[k] = v;
    return o;
}

std::map<std::string, std::string> paramsFromJson(const json &j, const std::string &what)
{
    if (!j.is_object())
        bad(what, "expected an object of option names to text values");
    std::map<std::string, std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_string())
            bad(what + "." + it.key(), "expected a string value");
        out[it.key()] = it.value().get<std::string>();
    }
    return out;
}

json pinnedToJson(const std::vector<PinnedSpan> &pinned)
{
    json a = json::array();
    for (const auto &p : pinned)
        a.push_back({{"segment", p.segment},
                     {"begin", p.span.begin},
                     {"end", p.span.end},
                     {"keep", p.keep}});
    return a;
}

std::vector<PinnedSpan> pinnedFromJson(const json &j, const std::string &what)
{
    if (!j.is_array())
        bad(what, "expected an array of pinned spans");
    std::vector<PinnedSpan> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string w = what + "[" + std::to_string(i) + "]";
        PinnedSpan p;
        p.segment = static_cast<int>(needInt(j[i], "segment", w, 0, kMaxInt32));
        p.span.begin = static_cast<std::size_t>(needInt(j[i], "begin", w, 0, kMaxUint32));
        p.span.end = static_cast<std::size_t>(needInt(j[i], "end", w, 0, kMaxUint32));
        if (p.span.end < p.span.begin)
            bad(w, "end is before begin");
        p.keep = needBool(j[i], "keep", w);
        out.push_back(p);
    }
    return out;
}

json thresholdsToJson(const std::vector<Threshold> &thresholds)
{
    json a = json::array();
    for (const auto &t : thresholds)
        a.push_back({{"series", t.series}, {"value", jsonDouble(t.value)}, {"label", t.label}});
    return a;
}

std::vector<Threshold> thresholdsFromJson(const json &j, const std::string &what)
{
    if (!j.is_array())
        bad(what, "expected an array of thresholds");
    std::vector<Threshold> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string w = what + "[" + std::to_string(i) + "]";
        Threshold t;
        t.series = needString(j[i], "series", w);
        t.value = doubleFromJson(need(j[i], "value", w), w + ".value");
        t.label = needString(j[i], "label", w);
        out.push_back(std::move(t));
    }
    return out;
}

json warningsToJson(const std::vector<Warning> &warnings)
{
    json a = json::array();
    for (const auto &w : warnings)
        a.push_back({{"code", w.code}, {"detail", w.detail}});
    return a;
}

std::vector<Warning> warningsFromJson(const json &j, const std::string &what)
{
    if (!j.is_array())
        bad(what, "expected an array of warnings");
    std::vector<Warning> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string w = what + "[" + std::to_string(i) + "]";
        out.push_back({needString(j[i], "code", w), needString(j[i], "detail", w)});
    }
    return out;
}

json metricsToJson(const std::map<std::string, double> &metrics)
{
    json o = json::object();
    for (const auto &[k, v] : metrics)
        o[k] = jsonDouble(v);
    return o;
}

std::map<std::string, double> metricsFromJson(const json &j, const std::string &what)
{
    if (!j.is_object())
        bad(what, "expected an object of metric names to numbers");
    std::map<std::string, double> out;
    for (auto it = j.begin(); it != j.end(); ++it)
        out[it.key()] = doubleFromJson(it.value(), what + "." + it.key());
    return out;
}

json optionsToJson(const CompressOptions &o)
{
    // The seed is a full 64-bit value: as text, so JSON readers with 53-bit numbers keep it.
    return {{"method", o.method},
            {"rate", jsonDouble(o.rate)},
            {"target_tokens", o.targetTokens},
            {"mode", modeName(o.mode)},
            {"seed", std::to_string(o.seed)},
            {"params", paramsToJson(o.params)},
            {"pinned", pinnedToJson(o.pinned)},
            {"model", o.model},
            {"device", o.device},
            {"dtype", o.dtype},
            {"target_tokenizer", o.targetTokenizer},
            {"find_question", o.findQuestion},
            {"word_vectors", o.wordVectors}};
}

CompressOptions optionsFromJson(const json &j, const std::string &what)
{
    CompressOptions o;
    o.method = needString(j, "method", what);
    o.rate = doubleFromJson(need(j, "rate", what), what + ".rate");
    o.targetTokens =
        static_cast<long>(needInt(j, "target_tokens", what, -1, std::numeric_limits<long>::max()));
    o.mode = parseModeOrThrow(needString(j, "mode", what), what + ".mode");
    const std::string seed = needString(j, "seed", what);
    char *end = nullptr;
    errno = 0;
    const unsigned long long s = std::strtoull(seed.c_str(), &end, 10);
    if (seed.empty() || *end != '\0' || errno != 0 || seed[0] == '-')
        bad(what + ".seed", "expected an unsigned 64-bit integer as text, got '" + seed + "'");
    o.seed = s;
    o.params = paramsFromJson(need(j, "params", what), what + ".params");
    o.pinned = pinnedFromJson(need(j, "pinned", what), what + ".pinned");
    // Written since issue 19 (stores and exports before it have no such fields: the defaults).
    for (auto [key, field] :
         {std::pair{"model", &o.model}, std::pair{"device", &o.device},
          std::pair{"dtype", &o.dtype}, std::pair{"target_tokenizer", &o.targetTokenizer}})
        if (j.contains(key))
            *field = needString(j, key, what);
    if (j.contains("find_question")) // written since issue 15's question finding
        o.findQuestion = needBool(j, "find_question", what);
    if (j.contains("word_vectors")) // written since issue 15's word vectors
        o.wordVectors = needString(j, "word_vectors", what);
    return o;
}

namespace {

json seriesToJson(const std::vector<ScoreSeries> &series)
{
    json a = json::array();
    for (const auto &s : series)
        a.push_back({{"name", s.name}, {"f32", base64Encode(encodeFloats(s.values))}});
    return a;
}

std::vector<ScoreSeries> seriesFromJson(const json &j, const std::string &what)
{
    // (legacy bookkeeping series are skipped, see isLegacyBookkeeping)
    if (!j.is_array())
        bad(what, "expected an array of score series");
    std::vector<ScoreSeries> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string w = what + "[" + std::to_string(i) + "]";
        ScoreSeries s;
        s.name = needString(j[i], "name", w);
        s.values = decodeFloats(base64Decode(needString(j[i], "f32", w), w + ".f32"), w + ".f32");
        if (!isLegacyBookkeeping(s.name))
            out.push_back(std::move(s));
    }
    return out;
}

} // namespace

json resultToExportJson(const CompressionResult &r)
{
    json units = json::array();
    for (const auto &u : r.units)
        units.push_back({u.segment, u.span.begin, u.span.end, u.kept, u.forced, u.stage});
    json stages = json::array();
    for (const auto &st : r.stages) {
        json s = {{"name", st.name},
                  {"removed_units", st.removedUnits},
                  {"scores", seriesToJson(st.scores)},
                  {"thresholds", thresholdsToJson(st.thresholds)}};
        if (st.firstUnit >= 0) // optional: older exports have no unit range
            s["unit_range"] = {st.firstUnit, st.endUnit};
        stages.push_back(std::move(s));
    }
    return {{"method", r.method},
            {"mode", modeName(r.mode)},
            {"unit", r.unitName},
            {"segments", segmentsToJson(r.segments)},
            {"units_format", "segment,begin,end,kept,forced,stage"},
            {"units", units},
            {"scores", seriesToJson(r.scores)},
            {"thresholds", thresholdsToJson(r.thresholds)},
            {"stages", stages},
            {"warnings", warningsToJson(r.warnings)},
            {"compressed_text", r.compressedText},
            {"tokens_in", r.tokensIn},
            {"tokens_out", r.tokensOut},
            {"requested_rate", jsonDouble(r.requestedRate)},
            {"achieved_rate", jsonDouble(r.achievedRate)},
            {"unit_rate", jsonDouble(r.unitRate)},
            {"target_tokens_in", r.targetTokensIn},
            {"target_tokens_out", r.targetTokensOut},
            {"forward_ms", jsonDouble(r.forwardMs)},
            {"total_ms", jsonDouble(r.totalMs)}};
}

CompressionResult resultFromExportJson(const json &j, const std::string &what)
{
    CompressionResult r;
    r.method = needString(j, "method", what);
    r.mode = parseModeOrThrow(needString(j, "mode", what), what + ".mode");
    r.unitName = needString(j, "unit", what);
    r.segments = segmentsFromJson(need(j, "segments", what), what + ".segments");
    const json &units = needArray(j, "units", what);
    r.units.reserve(units.size());
    for (std::size_t i = 0; i < units.size(); ++i) {
        const std::string w = what + ".units[" + std::to_string(i) + "]";
        const json &u = units[i];
        if (!u.is_array() || u.size() != 6 || !u[0].is_number_integer() ||
            !u[1].is_number_unsigned() || !u[2].is_number_unsigned() || !u[3].is_boolean() ||
            !u[4].is_boolean() || !u[5].is_number_integer())
            bad(w, "expected [segment, begin, end, kept, forced, stage]");
        const auto segment = u[0].get<std::int64_t>();
        const auto stage = u[5].get<std::int64_t>();
        if (segment < 0 || segment >= static_cast<std::int64_t>(r.segments.size()))
            bad(w, "segment " + std::to_string(segment) + " does not exist");
        if (stage < -1 || stage > kMaxInt32)
            bad(w, "stage " + std::to_string(stage) + " does not exist");
        Unit x;
        x.segment = static_cast<int>(segment);
        x.span.begin = u[1].get<std::size_t>();
        x.span.end = u[2].get<std::size_t>();
        x.kept = u[3].get<bool>();
        x.forced = u[4].get<bool>();
        x.stage = static_cast<int>(stage);
        if (x.span.begin > x.span.end || x.span.end > r.segments[x.segment].text.size())
            bad(w, "span " + std::to_string(x.span.begin) + "-" + std::to_string(x.span.end) +
                       " lies outside its segment");
        r.units.push_back(x);
    }
    r.scores = seriesFromJson(need(j, "scores", what), what + ".scores");
    r.thresholds = thresholdsFromJson(need(j, "thresholds", what), what + ".thresholds");
    const json &stages = needArray(j, "stages", what);
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const std::string w = what + ".stages[" + std::to_string(i) + "]";
        Stage st;
        st.name = needString(stages[i], "name", w);
        const json &removed = needArray(stages[i], "removed_units", w);
        for (const auto &x : removed) {
            if (!x.is_number_integer() || x.get<std::int64_t>() < 0 ||
                x.get<std::int64_t>() >= static_cast<std::int64_t>(r.units.size()))
                bad(w + ".removed_units",
                    "expected unit indices below " + std::to_string(r.units.size()));
            st.removedUnits.push_back(x.get<int>());
        }
        st.scores = seriesFromJson(need(stages[i], "scores", w), w + ".scores");
        st.thresholds = thresholdsFromJson(need(stages[i], "thresholds", w), w + ".thresholds");
        if (const auto range = stages[i].find("unit_range"); range != stages[i].end()) {
            const auto units = static_cast<std::int64_t>(r.units.size());
            if (!range->is_array() || range->size() != 2 || !(*range)[0].is_number_integer() ||
                !(*range)[1].is_number_integer() || (*range)[0].get<std::int64_t>() < 0 ||
                (*range)[0].get<std::int64_t>() > (*range)[1].get<std::int64_t>() ||
                (*range)[1].get<std::int64_t>() > units)
                bad(w + ".unit_range",
                    "expected [first, end) unit indices within 0.." + std::to_string(units));
            st.firstUnit = (*range)[0].get<int>();
            st.endUnit = (*range)[1].get<int>();
        }
        r.stages.push_back(std::move(st));
    }
    for (std::size_t i = 0; i < r.units.size(); ++i)
        if (r.units[i].stage < -1 || r.units[i].stage >= static_cast<int>(r.stages.size()))
            bad(what + ".units[" + std::to_string(i) + "]",
                "stage " + std::to_string(r.units[i].stage) + " does not exist");
    r.warnings = warningsFromJson(need(j, "warnings", what), what + ".warnings");
    r.compressedText = needString(j, "compressed_text", what);
    r.tokensIn =
        static_cast<long>(needInt(j, "tokens_in", what, 0, std::numeric_limits<long>::max()));
    r.tokensOut =
        static_cast<long>(needInt(j, "tokens_out", what, 0, std::numeric_limits<long>::max()));
    r.requestedRate = doubleFromJson(need(j, "requested_rate", what), what + ".requested_rate");
    r.achievedRate = doubleFromJson(need(j, "achieved_rate", what), what + ".achieved_rate");
    // Optional (written since issue 14): the unit ratio and the target token counts.
    r.unitRate = j.contains("unit_rate") ? doubleFromJson(j["unit_rate"], what + ".unit_rate")
                 : r.tokensIn > 0
                     ? static_cast<double>(r.tokensOut) / static_cast<double>(r.tokensIn)
                     : 1.0;
    if (j.contains("target_tokens_in"))
        r.targetTokensIn = static_cast<long>(
            needInt(j, "target_tokens_in", what, -1, std::numeric_limits<long>::max()));
    if (j.contains("target_tokens_out"))
        r.targetTokensOut = static_cast<long>(
            needInt(j, "target_tokens_out", what, -1, std::numeric_limits<long>::max()));
    r.forwardMs = doubleFromJson(need(j, "forward_ms", what), what + ".forward_ms");
    r.totalMs = doubleFromJson(need(j, "total_ms", what), what + ".total_ms");
    return r;
}

json parseJson(const std::string &text, const std::string &what)
{
    try {
        return json::parse(text);
    } catch (const json::parse_error &e) {
        bad(what, std::string("invalid JSON at byte ") + std::to_string(e.byte) + ": " + e.what());
    } catch (const json::exception &e) {
        // Issue 17 (found by fuzz_session_import): a number beyond a double (1e400) throws
        // out_of_range, not parse_error; it is bad input, not an internal error.
        bad(what, std::string("invalid JSON: ") + e.what());
    }
}

std::string dumpJson(const json &j, int indent)
{
    // Strict: text is stored exactly or not at all (replacing bad bytes would alter the user's
    // data).
    try {
        return j.dump(indent, ' ', false, json::error_handler_t::strict);
    } catch (const json::type_error &) {
        throwError(ErrorCode::InvalidInput, "a text field is not valid UTF-8 and cannot be stored");
    }
}

} // namespace terse::store

namespace terse {

std::string compressOptionsToJson(const CompressOptions &options, bool pretty)
{
    return store::optionsToJson(options).dump(pretty ? 2 : -1, ' ', false,
                                              nlohmann::json::error_handler_t::replace);
}

} // namespace terse
