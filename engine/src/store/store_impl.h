#pragma once
// SessionStore's private state and the internals shared by its translation units.

#include "store/sqlite_db.h"
#include "terse/session_store.h"

#include <nlohmann/json_fwd.hpp>

#include <exception>
#include <new>
#include <string>
#include <type_traits>

struct sqlite3;

namespace terse {

struct SessionStore::Impl {
    sqlite3 *db = nullptr;
    std::string path;
    bool readOnly = false;
    bool newer = false;
    int version = 0;

    ~Impl();
    // Throws DatabaseError when the store cannot be written (read-only or newer schema).
    void requireWritable() const;
    // Throws NotFound unless the session exists (deleted or not).
    void requireSession(std::int64_t id) const;
    SessionInfo readSession(std::int64_t id) const;
    std::vector<std::string> readTags(std::int64_t id) const;
    void writeTags(std::int64_t id, const std::vector<std::string> &tags);
    void touch(std::int64_t sessionId, std::int64_t when);
    // Inserts one run (inside the caller's transaction). `created` 0: now; empty `version`: this
    // engine's version.
    std::int64_t insertRun(std::int64_t sessionId, const Prompt &prompt,
                           const CompressOptions &options, const ModelIdentity &model,
                           const CompressionResult &result,
                           const std::map<std::string, double> &metrics, std::int64_t created,
                           const std::string &version);
    StoredRun readRun(std::int64_t runId) const;
    // Inserts one answer (inside the caller's transaction); checks variant and mark.
    std::int64_t insertAnswer(const AnswerRecord &answer);
    std::vector<AnswerRecord> readAnswers(std::int64_t runId) const;
    std::vector<RunInfo> readRuns(std::int64_t sessionId) const;
    // One session with all its runs in the export format (session_exchange.cpp).
    nlohmann::json exportSession(std::int64_t id) const;
};

namespace store {

// Throws the NotFound error for a session id that is not in the store ("no session 42").
[[noreturn]] void throwNoSession(std::int64_t id);

// Runs `f` and converts what it throws into an Error prefixed with `what` ("saving the run: ...").
// Implements design.md rule 8: exceptions inside, results at the edge.
template <typename F>
auto guarded(const std::string &what, F &&f) -> Result<std::invoke_result_t<F>>
{
    return detail::guard(detail::GuardWords{what, ErrorCode::DatabaseError, "", true},
                         std::forward<F>(f));
}

} // namespace store
} // namespace terse
