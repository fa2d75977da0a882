#pragma once
// SessionStore: the local SQLite database of sessions, prompts, runs and their full results
// (design.md section 1, src/store). Plain value types in, plain value types out; no Qt, no torch.

#include "terse/compressor.h"
#include "terse/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace terse {

// The schema version this build writes (PRAGMA user_version). Older files are migrated at open.
inline constexpr int kSessionSchemaVersion = 5;
// PRAGMA application_id of a Terse session database: "TRSE" in ASCII.
inline constexpr std::int32_t kSessionApplicationId = 0x54525345;
// The "version" of the JSON export format ({"format":"terse-sessions","version":1}).
inline constexpr int kSessionExportVersion = 1;

// Options for SessionStore::open.
struct StoreOpenOptions {
    bool readOnly = false;      // open for reading only; the file must exist
    int busyTimeoutMs = 5000;   // how long to wait for another process's write lock
    bool checkIntegrity = true; // PRAGMA quick_check at open: finds damaged pages; reads the file
    long maxPageCount = 0;      // > 0 caps the file size in pages (quota; simulates a full disk)
};

// Which model produced a run; all empty for methods without a model (baselines).
struct ModelIdentity {
    std::string name;     // e.g. "gpt2-small"
    std::string path;     // where it was loaded from
    std::string checksum; // e.g. "sha256:..." of the weights
};

// A session as listed: metadata only.
struct SessionInfo {
    std::int64_t id = 0;
    std::string name;
    std::int64_t created = 0;      // Unix time in milliseconds (UTC)
    std::int64_t updated = 0;      // last change to the session or its runs, Unix ms
    std::vector<std::string> tags; // sorted, unique
    std::string notes;
    bool isAutosave = false;    // created by the app's autosave, not named by the user
    std::int64_t deletedAt = 0; // Unix ms of a soft delete; 0 when not deleted
    long runCount = 0;
};

// A run as listed: what the session view shows without loading the scores.
struct RunInfo {
    std::int64_t id = 0;
    std::int64_t sessionId = 0;
    std::int64_t promptId = 0;
    std::string method;
    CompressionMode mode = CompressionMode::Corrected;
    ModelIdentity model;
    std::string engineVersion;
    std::int64_t created = 0; // Unix ms
    long tokensIn = 0;
    long tokensOut = 0;
    double achievedRate = 0;
};

// A target LLM's answer to a run's original or compressed prompt (the app's answer check), and the
// user's mark of it.
struct AnswerRecord {
    std::int64_t id = 0;    // set by saveAnswer
    std::int64_t runId = 0; // the run whose prompts were asked
    std::string variant;    // "original" or "compressed"
    std::string endpoint;   // the chat-completions URL asked
    std::string model;      // the target model's name as sent
    std::string answer;     // the reply ("" when the request failed)
    std::string error;      // why there is no reply ("" when there is one)
    double latencyMs = 0;   // request to complete reply
    long promptTokens = -1; // usage as the endpoint reported it; -1 when it did not
    long completionTokens = -1;
    int mark = -1;            // -1 not marked, 0 incorrect, 1 correct
    std::int64_t created = 0; // Unix ms; set by saveAnswer when 0
};

// Everything saved with a run; loadRun() returns exactly what saveRun() was given.
struct StoredRun {
    RunInfo info;
    Prompt prompt;
    CompressOptions options;
    CompressionResult result;
    std::map<std::string, double> metrics; // e.g. {"rouge_l": 0.41}; may be empty
};

enum class SessionSort { UpdatedDesc, UpdatedAsc, CreatedDesc, CreatedAsc, NameAsc, NameDesc };

// Filters for listSessions(); empty fields do not filter. All filters must match.
struct SessionQuery {
    std::string text;   // case-insensitive (ASCII) substring of the name or of a prompt's text
    std::string method; // a run of the session used this method
    std::string model;  // a run used a model with this name or checksum
    std::string tag;    // the session has this tag
    std::int64_t updatedFrom = 0; // updated >= this (Unix ms); 0: unbounded
    std::int64_t updatedTo = 0;   // updated <= this (Unix ms); 0: unbounded
    bool includeDeleted = false;  // also list soft-deleted sessions
    SessionSort sort = SessionSort::UpdatedDesc;
    int limit = -1; // < 0: no limit
    int offset = 0;
};

// The app's working state for crash recovery: one slot per app instance.
struct WorkingState {
    std::string instance;       // key, e.g. "main" or a per-window id
    std::int64_t sessionId = 0; // the session open in the app; 0 for none
    Prompt prompt;
    CompressOptions options;
    std::string uiState;      // opaque text (JSON) the app stores and gets back unchanged
    std::int64_t savedAt = 0; // Unix ms, set by saveWorkingState
};

// What importSessions() did with each session of the file.
struct ImportReport {
    struct Imported {
        int index = 0; // position in the file's "sessions" array
        std::string name;
        std::int64_t id = 0; // the new session's id
        long runs = 0;
    };
    struct Skipped {
        int index = 0;
        std::string name;   // as far as readable
        std::string reason; // English; names the field at fault
    };
    std::vector<Imported> imported;
    std::vector<Skipped> skipped;
};

// The default database file: $XDG_DATA_HOME/terse/sessions.sqlite3, or
// ~/.local/share/terse/sessions.sqlite3. Creates the folders; IoError when it cannot.
Result<std::string> defaultDatabasePath();

// A connection to one session database file. Movable, not copyable. One thread at a time per
// instance; several instances and processes may share a file (WAL, busy timeout). Every method
// returns an Error instead of throwing; a failed write changes nothing (one transaction each).
class SessionStore {
public:
    using OpenOptions = StoreOpenOptions;

    // Opens or creates `path` and migrates an older schema. A zero-byte file is initialised as a
    // new database. A damaged or non-SQLite file fails with FormatError and is copied aside to
    // "<path>.corrupt-<hash of its content>" first (once per content; the error names the copy);
    // another application's SQLite file fails with FormatError and is left untouched. A newer
    // schema opens read-only (see schemaIsNewer()). Unusable paths fail with IoError/NotFound
    // naming the path.
    static Result<SessionStore> open(const std::string &path, const OpenOptions &options = {});

    SessionStore(SessionStore &&) noexcept;
    SessionStore &operator=(SessionStore &&) noexcept;
    ~SessionStore();

    const std::string &path() const;
    // True when opened read-only (by request or because the schema is newer): writes fail.
    bool isReadOnly() const;
    // True when the file's schema is newer than this build knows: show the user a warning.
    bool schemaIsNewer() const;
    // The file's schema version (kSessionSchemaVersion after a migration).
    int schemaVersion() const;

    // Sessions. Names need not be unique. NotFound names the id.
    Result<std::int64_t> createSession(const std::string &name, bool isAutosave = false);
    // The newest non-deleted session with this exact name, or a new one; atomic across processes.
    Result<std::int64_t> findOrCreateSession(const std::string &name);
    Result<SessionInfo> session(std::int64_t id) const;
    Result<void> renameSession(std::int64_t id, const std::string &name);
    Result<void> setTags(std::int64_t id, const std::vector<std::string> &tags);
    Result<void> setNotes(std::int64_t id, const std::string &notes);
    // Deep copy (runs, results, tags, notes) as a new session, to branch an experiment.
    // An empty `name` gives "<name> (copy)". Returns the new id.
    Result<std::int64_t> duplicateSession(std::int64_t id, const std::string &name = {});
    // Soft delete: hidden from listSessions() until undoDelete() or purgeDeleted().
    Result<void> deleteSession(std::int64_t id);
    Result<void> undoDelete(std::int64_t id);
    // Permanently removes soft-deleted sessions deleted at or before `deletedBefore` (Unix ms;
    // 0: all). Returns how many were removed.
    Result<long> purgeDeleted(std::int64_t deletedBefore = 0);
    Result<std::vector<SessionInfo>> listSessions(const SessionQuery &query = {}) const;

    // Runs. saveRun stores the prompt (shared with identical prompts of the session), options,
    // model identity and the whole result in one transaction; returns the run id.
    Result<std::int64_t> saveRun(std::int64_t sessionId, const Prompt &prompt,
                                 const CompressOptions &options, const ModelIdentity &model,
                                 const CompressionResult &result,
                                 const std::map<std::string, double> &metrics = {});
    // Exactly what saveRun was given (scores bit-exact, NaN included). NotFound names the id.
    Result<StoredRun> loadRun(std::int64_t runId) const;
    // The session's runs, oldest first, without their results.
    Result<std::vector<RunInfo>> listRuns(std::int64_t sessionId) const;
    Result<void> deleteRun(std::int64_t runId);

    // Answers of a target LLM to a run's prompts. saveAnswer returns the new answer's id (NotFound
    // for an unknown run, InvalidArgument for a variant other than "original"/"compressed" or a
    // mark outside -1..1); answers() lists a run's answers oldest first. They go with their run:
    // deleted, duplicated, exported and imported with it.
    Result<std::int64_t> saveAnswer(const AnswerRecord &answer);
    Result<void> setAnswerMark(std::int64_t answerId, int mark);
    Result<std::vector<AnswerRecord>> answers(std::int64_t runId) const;

    // The autosave slot of one app instance: overwrite / read (NotFound when never saved).
    Result<void> saveWorkingState(const WorkingState &state);
    Result<WorkingState> loadWorkingState(const std::string &instance) const;
    Result<void> clearWorkingState(const std::string &instance);

    // Settings key/value; setting() is empty when the key is unset.
    Result<void> setSetting(const std::string &key, const std::string &value);
    Result<std::optional<std::string>> setting(const std::string &key) const;
    Result<void> removeSetting(const std::string &key);

    // Versioned JSON export of the given sessions (empty: all non-deleted), scores included
    // bit-exactly. NotFound names a missing id.
    Result<std::string> exportSessions(const std::vector<std::int64_t> &ids = {}) const;
    // Writes the export to `path` (through a temporary file, so a failure leaves no partial file).
    Result<void> exportSessionsToFile(const std::string &path,
                                      const std::vector<std::int64_t> &ids = {}) const;
    // Imports every valid session of an export as new sessions; invalid ones are skipped and
    // reported. FormatError when the text is not a terse-sessions export of a known version.
    Result<ImportReport> importSessions(const std::string &json);
    Result<ImportReport> importSessionsFromFile(const std::string &path);

    // PRAGMA integrity_check: "ok" or the problems found.
    Result<std::string> integrityCheck() const;

private:
    struct Impl;
    explicit SessionStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace terse
