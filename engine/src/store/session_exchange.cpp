// Export and import of sessions as versioned JSON ({"format":"terse-sessions","version":1}).
#include "terse/session_store.h"

#include "store/codec.h"
#include "store/store_impl.h"
#include "terse/runtime.h"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace terse {

using namespace terse::store;
using nlohmann::json;

namespace {

constexpr const char *kFormat = "terse-sessions";

json answersToJson(const std::vector<AnswerRecord> &answers)
{
    json out = json::array();
    for (const auto &a : answers)
        out.push_back({{"variant", a.variant},
                       {"endpoint", a.endpoint},
                       {"model", a.model},
                       {"answer", a.answer},
                       {"error", a.error},
                       {"latency_ms", a.latencyMs},
                       {"prompt_tokens", a.promptTokens},
                       {"completion_tokens", a.completionTokens},
                       {"mark", a.mark},
                       {"created", a.created}});
    return out;
}

} // namespace

json SessionStore::Impl::exportSession(std::int64_t id) const
{
    const SessionInfo s = readSession(id);
    json runs = json::array();
    for (const auto &info : readRuns(id)) {
        const StoredRun r = readRun(info.id);
        runs.push_back({{"created", r.info.created},
                        {"engine_version", r.info.engineVersion},
                        {"model",
                         {{"name", r.info.model.name},
                          {"path", r.info.model.path},
                          {"checksum", r.info.model.checksum}}},
                        {"prompt", segmentsToJson(r.prompt.segments)},
                        {"options", optionsToJson(r.options)},
                        {"result", resultToExportJson(r.result)},
                        {"metrics", metricsToJson(r.metrics)},
                        {"answers", answersToJson(readAnswers(info.id))}});
    }
    return {{"name", s.name},         {"created", s.created}, {"updated", s.updated},
            {"tags", s.tags},         {"notes", s.notes},     {"is_autosave", s.isAutosave},
            {"runs", std::move(runs)}};
}

namespace {

// One session of an import file, validated and ready to insert.
struct ParsedRun {
    std::int64_t created = 0;
    std::string engineVersion;
    ModelIdentity model;
    Prompt prompt;
    CompressOptions options;
    CompressionResult result;
    std::map<std::string, double> metrics;
    std::vector<AnswerRecord> answers;
};

struct ParsedSession {
    std::string name;
    std::int64_t created = 0;
    std::int64_t updated = 0;
    std::vector<std::string> tags;
    std::string notes;
    bool isAutosave = false;
    std::vector<ParsedRun> runs;
};

[[noreturn]] void bad(const std::string &what, const std::string &why)
{
    throwError(ErrorCode::FormatError, what + ": " + why);
}

const json &field(const json &j, const char *key, const std::string &what)
{
    auto it = j.find(key);
    if (it == j.end())
        bad(what + "." + key, "missing");
    return *it;
}

std::string stringField(const json &j, const char *key, const std::string &what)
{
    const json &v = field(j, key, what);
    if (!v.is_string())
        bad(what + "." + key, "expected a string");
    return v.get<std::string>();
}

std::int64_t timeField(const json &j, const char *key, const std::string &what)
{
    const json &v = field(j, key, what);
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
        bad(what + "." + key, "expected a time in Unix milliseconds (a non-negative integer)");
    return v.get<std::int64_t>();
}

ParsedRun parseRun(const json &j, const std::string &what)
{
    if (!j.is_object())
        bad(what, "expected an object");
    ParsedRun r;
    r.created = timeField(j, "created", what);
    r.engineVersion = stringField(j, "engine_version", what);
    const json &m = field(j, "model", what);
    if (!m.is_object())
        bad(what + ".model", "expected an object");
    r.model = {stringField(m, "name", what + ".model"), stringField(m, "path", what + ".model"),
               stringField(m, "checksum", what + ".model")};
    r.prompt.segments = segmentsFromJson(field(j, "prompt", what), what + ".prompt");
    if (!field(j, "options", what).is_object())
        bad(what + ".options", "expected an object");
    r.options = optionsFromJson(j["options"], what + ".options");
    for (std::size_t i = 0; i < r.options.pinned.size(); ++i) {
        const PinnedSpan &p = r.options.pinned[i];
        if (p.segment >= static_cast<int>(r.prompt.segments.size()) ||
            p.span.end > r.prompt.segments[p.segment].text.size())
            bad(what + ".options.pinned[" + std::to_string(i) + "]", "lies outside the prompt");
    }
    if (!field(j, "result", what).is_object())
        bad(what + ".result", "expected an object");
    r.result = resultFromExportJson(j["result"], what + ".result");
    r.metrics = metricsFromJson(field(j, "metrics", what), what + ".metrics");
    // "answers" (schema 5) is optional: files from older versions have none.
    if (auto it = j.find("answers"); it != j.end()) {
        if (!it->is_array())
            bad(what + ".answers", "expected an array");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json &a = (*it)[i];
            const std::string w = what + ".answers[" + std::to_string(i) + "]";
            if (!a.is_object())
                bad(w, "expected an object");
            AnswerRecord rec;
            rec.variant = stringField(a, "variant", w);
            if (rec.variant != "original" && rec.variant != "compressed")
                bad(w + ".variant", "expected \"original\" or \"compressed\"");
            rec.endpoint = stringField(a, "endpoint", w);
            rec.model = stringField(a, "model", w);
            rec.answer = stringField(a, "answer", w);
            rec.error = stringField(a, "error", w);
            const json &lat = field(a, "latency_ms", w);
            if (!lat.is_number() || !(lat.get<double>() >= 0))
                bad(w + ".latency_ms", "expected a non-negative number");
            rec.latencyMs = lat.get<double>();
            for (auto [key, dst] : {std::pair{"prompt_tokens", &rec.promptTokens},
                                    std::pair{"completion_tokens", &rec.completionTokens}}) {
                const json &v = field(a, key, w);
                if (!v.is_number_integer() || v.get<long long>() < -1 ||
                    v.get<long long>() > (1LL << 40))
                    bad(w + "." + key, "expected a token count (-1 when not reported)");
                *dst = static_cast<long>(v.get<long long>());
            }
            const json &mark = field(a, "mark", w);
            if (!mark.is_number_integer() || mark.get<int>() < -1 || mark.get<int>() > 1)
                bad(w + ".mark", "expected -1 (none), 0 (incorrect) or 1 (correct)");
            rec.mark = mark.get<int>();
            rec.created = timeField(a, "created", w);
            r.answers.push_back(std::move(rec));
        }
    }
    return r;
}

ParsedSession parseSession(const json &j, const std::string &what)
{
    if (!j.is_object())
        bad(what, "expected an object");
    ParsedSession s;
    s.name = stringField(j, "name", what);
    if (s.name.find_first_not_of(" \t\r\n") == std::string::npos)
        bad(what + ".name", "a session name cannot be empty");
    s.created = timeField(j, "created", what);
    s.updated = timeField(j, "updated", what);
    const json &tags = field(j, "tags", what);
    if (!tags.is_array())
        bad(what + ".tags", "expected an array of strings");
    for (const auto &t : tags) {
        if (!t.is_string())
            bad(what + ".tags", "expected an array of strings");
        s.tags.push_back(t.get<std::string>());
    }
    s.notes = stringField(j, "notes", what);
    const json &autosave = field(j, "is_autosave", what);
    if (!autosave.is_boolean())
        bad(what + ".is_autosave", "expected true or false");
    s.isAutosave = autosave.get<bool>();
    const json &runs = field(j, "runs", what);
    if (!runs.is_array())
        bad(what + ".runs", "expected an array");
    for (std::size_t i = 0; i < runs.size(); ++i)
        s.runs.push_back(parseRun(runs[i], what + ".runs[" + std::to_string(i) + "]"));
    return s;
}

} // namespace

Result<std::string> SessionStore::exportSessions(const std::vector<std::int64_t> &ids) const
{
    return guarded("exporting sessions", [&] {
        std::vector<std::int64_t> list = ids;
        if (list.empty()) {
            Statement st(m_impl->db,
                         "SELECT id FROM sessions WHERE deleted_at IS NULL ORDER BY id");
            while (st.step())
                list.push_back(st.int64(0));
        }
        // One read transaction: a consistent snapshot even while another process writes.
        Transaction tx(m_impl->db, "", Transaction::Mode::Read);
        json sessions = json::array();
        for (auto id : list)
            sessions.push_back(m_impl->exportSession(id));
        tx.commit();
        json doc = {{"format", kFormat},
                    {"version", kSessionExportVersion},
                    {"engine_version", engineVersion()},
                    {"exported", nowMs()},
                    {"sessions", std::move(sessions)}};
        return dumpJson(doc, 1);
    });
}

Result<void> SessionStore::exportSessionsToFile(const std::string &path,
                                                const std::vector<std::int64_t> &ids) const
{
    auto text = exportSessions(ids);
    if (!text)
        return text.error();
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f)
            return fail(ErrorCode::IoError, "cannot write '" + path + "': " + std::strerror(errno));
        f.write(text->data(), static_cast<std::streamsize>(text->size()));
        f.flush();
        if (!f) {
            f.close();
            std::remove(tmp.c_str());
            return fail(ErrorCode::IoError,
                        "writing '" + path + "' failed (disk full?); nothing was written");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        return fail(ErrorCode::IoError, "cannot write '" + path + "': " + ec.message());
    }
    return {};
}

Result<ImportReport> SessionStore::importSessions(const std::string &text)
{
    return guarded("importing sessions", [&] {
        m_impl->requireWritable();
        const json doc = parseJson(text, "the import file");
        if (!doc.is_object() || !doc.contains("format") || doc["format"] != kFormat)
            throwError(ErrorCode::FormatError,
                       "not a Terse sessions export (expected \"format\": \"terse-sessions\")");
        if (!doc.contains("version") || !doc["version"].is_number_integer())
            throwError(ErrorCode::FormatError, "the export has no integer \"version\"");
        const auto version = doc["version"].get<std::int64_t>();
        if (version < 1 || version > kSessionExportVersion)
            throwError(ErrorCode::FormatError, "export format version " + std::to_string(version) +
                                                   " is not supported (this Terse reads version " +
                                                   std::to_string(kSessionExportVersion) + ")");
        if (!doc.contains("sessions") || !doc["sessions"].is_array())
            throwError(ErrorCode::FormatError, "the export has no \"sessions\" array");

        ImportReport report;
        std::vector<std::pair<int, ParsedSession>> valid;
        const json &sessions = doc["sessions"];
        for (std::size_t i = 0; i < sessions.size(); ++i) {
            const int index = static_cast<int>(i);
            const std::string what = "sessions[" + std::to_string(i) + "]";
            try {
                valid.emplace_back(index, parseSession(sessions[i], what));
            } catch (const StoreException &e) {
                std::string name;
                if (sessions[i].is_object() && sessions[i].contains("name") &&
                    sessions[i]["name"].is_string())
                    name = sessions[i]["name"].get<std::string>();
                report.skipped.push_back({index, name, e.detail});
            }
        }
        // All valid sessions in one transaction: a failed write (disk full) imports nothing.
        Transaction tx(m_impl->db, "");
        for (auto &[index, s] : valid) {
            Statement ins(m_impl->db,
                          "INSERT INTO sessions(name, created, updated, is_autosave, notes) "
                          "VALUES (?, ?, ?, ?, ?)");
            ins.bind(1, s.name).bind(2, s.created).bind(3, s.created).bind(4, s.isAutosave ? 1 : 0);
            const std::int64_t id = ins.bind(5, s.notes).insert();
            m_impl->writeTags(id, s.tags);
            for (const auto &r : s.runs) {
                const std::int64_t runId =
                    m_impl->insertRun(id, r.prompt, r.options, r.model, r.result, r.metrics,
                                      r.created, r.engineVersion);
                for (AnswerRecord a : r.answers) {
                    a.runId = runId;
                    m_impl->insertAnswer(a);
                }
            }
            // insertRun moved `updated` forward to the newest run; the file's value wins.
            Statement upd(m_impl->db, "UPDATE sessions SET updated = ? WHERE id = ?");
            upd.bind(1, s.updated).bind(2, id).run();
            report.imported.push_back({index, s.name, id, static_cast<long>(s.runs.size())});
        }
        tx.commit();
        return report;
    });
}

Result<ImportReport> SessionStore::importSessionsFromFile(const std::string &path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) // reading one throws from the stream buffer
        return fail(ErrorCode::InvalidInput,
                    "'" + path + "' is a folder; expected a terse-sessions JSON file");
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return fail(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::IoError,
                    "cannot open '" + path + "': " + std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (f.bad())
        return fail(ErrorCode::IoError, "reading '" + path + "' failed");
    auto report = importSessions(text);
    if (!report)
        return Error{report.error().code, "'" + path + "': " + report.error().detail};
    return report;
}

} // namespace terse
