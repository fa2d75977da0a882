// SessionStore: sessions (create, rename, tag, annotate, duplicate, delete and restore, purge) and
// the session list with its search filters.
#include "terse/session_store.h"

#include "store/store_impl.h"

#include <algorithm>
#include <map>
#include <set>
#include <variant>

namespace terse {

using namespace terse::store;

namespace {

std::vector<std::string> normalizedTags(const std::vector<std::string> &tags)
{
    std::set<std::string> unique;
    for (const auto &t : tags) {
        const auto b = t.find_first_not_of(" \t\r\n");
        if (b == std::string::npos)
            continue;
        const auto e = t.find_last_not_of(" \t\r\n");
        unique.insert(t.substr(b, e - b + 1));
    }
    return {unique.begin(), unique.end()};
}

void requireName(const std::string &name)
{
    if (name.find_first_not_of(" \t\r\n") == std::string::npos)
        throwError(ErrorCode::InvalidArgument, "a session name cannot be empty");
}

constexpr const char *kSessionColumns =
    "s.id, s.name, s.created, s.updated, s.is_autosave, s.deleted_at, s.notes, "
    "(SELECT count(*) FROM runs r WHERE r.session_id = s.id)";

SessionInfo sessionFromRow(const Statement &st)
{
    SessionInfo s;
    s.id = st.int64(0);
    s.name = st.text(1);
    s.created = st.int64(2);
    s.updated = st.int64(3);
    s.isAutosave = st.int64(4) != 0;
    s.deletedAt = st.isNull(5) ? 0 : st.int64(5);
    s.notes = st.text(6);
    s.runCount = static_cast<long>(st.int64(7));
    return s;
}

} // namespace

void store::throwNoSession(std::int64_t id)
{
    throwError(ErrorCode::NotFound, "no session " + std::to_string(id));
}

// ---- Impl -------------------------------------------------------------------------------------

void SessionStore::Impl::requireSession(std::int64_t id) const
{
    Statement st(db, "SELECT 1 FROM sessions WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        throwNoSession(id);
}

std::vector<std::string> SessionStore::Impl::readTags(std::int64_t id) const
{
    Statement st(db, "SELECT tag FROM session_tags WHERE session_id = ? ORDER BY tag");
    st.bind(1, id);
    std::vector<std::string> tags;
    while (st.step())
        tags.push_back(st.text(0));
    return tags;
}

void SessionStore::Impl::writeTags(std::int64_t id, const std::vector<std::string> &tags)
{
    Statement del(db, "DELETE FROM session_tags WHERE session_id = ?");
    del.bind(1, id).run();
    Statement ins(db, "INSERT INTO session_tags(session_id, tag) VALUES (?, ?)");
    for (const auto &t : normalizedTags(tags)) {
        ins.reset();
        ins.bind(1, id).bind(2, t).run();
    }
}

void SessionStore::Impl::touch(std::int64_t sessionId, std::int64_t when)
{
    Statement st(db, "UPDATE sessions SET updated = max(updated, ?) WHERE id = ?");
    st.bind(1, when).bind(2, sessionId).run();
}

SessionInfo SessionStore::Impl::readSession(std::int64_t id) const
{
    Statement st(db, std::string("SELECT ") + kSessionColumns + " FROM sessions s WHERE s.id = ?");
    st.bind(1, id);
    if (!st.step())
        throwNoSession(id);
    SessionInfo s = sessionFromRow(st);
    s.tags = readTags(id);
    return s;
}

// ---- sessions ---------------------------------------------------------------------------------

Result<std::int64_t> SessionStore::createSession(const std::string &name, bool isAutosave)
{
    return guarded("creating session '" + name + "'", [&] {
        m_impl->requireWritable();
        requireName(name);
        const auto now = nowMs();
        Statement st(
            m_impl->db,
            "INSERT INTO sessions(name, created, updated, is_autosave) VALUES (?, ?, ?, ?)");
        return st.bind(1, name).bind(2, now).bind(3, now).bind(4, isAutosave ? 1 : 0).insert();
    });
}

Result<std::int64_t> SessionStore::findOrCreateSession(const std::string &name)
{
    return guarded("opening session '" + name + "'", [&] {
        m_impl->requireWritable();
        requireName(name);
        Transaction tx(m_impl->db, "");
        Statement find(m_impl->db, "SELECT id FROM sessions WHERE name = ? AND deleted_at IS NULL "
                                   "ORDER BY updated DESC, id DESC LIMIT 1");
        find.bind(1, name);
        std::int64_t id = 0;
        if (find.step()) {
            id = find.int64(0);
        } else {
            const auto now = nowMs();
            Statement ins(m_impl->db,
                          "INSERT INTO sessions(name, created, updated) VALUES (?, ?, ?)");
            id = ins.bind(1, name).bind(2, now).bind(3, now).insert();
        }
        tx.commit();
        return id;
    });
}

Result<SessionInfo> SessionStore::session(std::int64_t id) const
{
    return guarded("reading session " + std::to_string(id),
                   [&] { return m_impl->readSession(id); });
}

Result<void> SessionStore::renameSession(std::int64_t id, const std::string &name)
{
    return guarded("renaming session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        requireName(name);
        Statement st(m_impl->db,
                     "UPDATE sessions SET name = ?, updated = max(updated, ?) WHERE id = ?");
        if (st.bind(1, name).bind(2, nowMs()).bind(3, id).run() == 0)
            throwNoSession(id);
    });
}

Result<void> SessionStore::setTags(std::int64_t id, const std::vector<std::string> &tags)
{
    return guarded("tagging session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Transaction tx(m_impl->db, "");
        m_impl->requireSession(id);
        m_impl->writeTags(id, tags);
        m_impl->touch(id, nowMs());
        tx.commit();
    });
}

Result<void> SessionStore::setNotes(std::int64_t id, const std::string &notes)
{
    return guarded("writing the notes of session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db,
                     "UPDATE sessions SET notes = ?, updated = max(updated, ?) WHERE id = ?");
        if (st.bind(1, notes).bind(2, nowMs()).bind(3, id).run() == 0)
            throwNoSession(id);
    });
}

Result<std::int64_t> SessionStore::duplicateSession(std::int64_t id, const std::string &name)
{
    return guarded("duplicating session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        sqlite3 *db = m_impl->db;
        Transaction tx(db, "");
        const SessionInfo src = m_impl->readSession(id);
        const std::string newName = name.empty() ? src.name + " (copy)" : name;
        requireName(newName);
        const auto now = nowMs();
        Statement ins(db, "INSERT INTO sessions(name, created, updated, is_autosave, notes) "
                          "SELECT ?, ?, ?, is_autosave, notes FROM sessions WHERE id = ?");
        const std::int64_t copy =
            ins.bind(1, newName).bind(2, now).bind(3, now).bind(4, id).insert();
        Statement tags(db,
                       "INSERT INTO session_tags(session_id, tag) SELECT ?, tag FROM session_tags "
                       "WHERE session_id = ?");
        tags.bind(1, copy).bind(2, id).run();

        std::map<std::int64_t, std::int64_t> promptMap;
        {
            Statement list(db, "SELECT id FROM prompts WHERE session_id = ? ORDER BY id");
            list.bind(1, id);
            Statement cp(db, "INSERT INTO prompts(session_id, segments, text, created) "
                             "SELECT ?, segments, text, created FROM prompts WHERE id = ?");
            while (list.step()) {
                cp.reset();
                promptMap[list.int64(0)] = cp.bind(1, copy).bind(2, list.int64(0)).insert();
            }
        }
        Statement list(db, "SELECT id, prompt_id FROM runs WHERE session_id = ? ORDER BY id");
        list.bind(1, id);
        Statement run(
            db, "INSERT INTO runs(session_id, prompt_id, method, rate, target_tokens, mode, seed, "
                "params, "
                "pinned, model_name, model_path, model_checksum, engine_version, created) "
                "SELECT ?, ?, method, rate, target_tokens, mode, seed, params, pinned, model_name, "
                "model_path, model_checksum, engine_version, created FROM runs WHERE id = ?");
        Statement res(
            db,
            "INSERT INTO results(run_id, method, mode, unit_name, segments, compressed_text, "
            "tokens_in, tokens_out, requested_rate, achieved_rate, forward_ms, total_ms, units, "
            "thresholds, warnings, metrics) SELECT ?, method, mode, unit_name, segments, "
            "compressed_text, tokens_in, tokens_out, requested_rate, achieved_rate, forward_ms, "
            "total_ms, units, thresholds, warnings, metrics FROM results WHERE run_id = ?");
        Statement ser(db,
                      "INSERT INTO result_series(run_id, stage, position, name, data) "
                      "SELECT ?, stage, position, name, data FROM result_series WHERE run_id = ?");
        Statement stg(
            db,
            "INSERT INTO result_stages(run_id, position, name, removed, thresholds, first_unit, "
            "end_unit) SELECT ?, position, name, removed, thresholds, first_unit, end_unit "
            "FROM result_stages WHERE run_id = ?");
        Statement ans(
            db,
            "INSERT INTO answers(run_id, variant, endpoint, model, answer, error, latency_ms, "
            "prompt_tokens, completion_tokens, mark, created) SELECT ?, variant, endpoint, model, "
            "answer, error, latency_ms, prompt_tokens, completion_tokens, mark, created "
            "FROM answers WHERE run_id = ? ORDER BY id");
        while (list.step()) {
            const std::int64_t oldRun = list.int64(0);
            run.reset();
            const std::int64_t newRun =
                run.bind(1, copy).bind(2, promptMap.at(list.int64(1))).bind(3, oldRun).insert();
            for (Statement *st : {&res, &ser, &stg, &ans}) {
                st->reset();
                st->bind(1, newRun).bind(2, oldRun).run();
            }
        }
        tx.commit();
        return copy;
    });
}

Result<void> SessionStore::deleteSession(std::int64_t id)
{
    return guarded("deleting session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db,
                     "UPDATE sessions SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
        if (st.bind(1, nowMs()).bind(2, id).run() == 0) {
            m_impl->requireSession(id);
            throwError(ErrorCode::InvalidArgument,
                       "session " + std::to_string(id) + " is already deleted");
        }
    });
}

Result<void> SessionStore::undoDelete(std::int64_t id)
{
    return guarded("restoring session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Statement st(
            m_impl->db,
            "UPDATE sessions SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL");
        if (st.bind(1, id).run() == 0) {
            m_impl->requireSession(id);
            throwError(ErrorCode::InvalidArgument,
                       "session " + std::to_string(id) + " is not deleted");
        }
    });
}

Result<long> SessionStore::purgeDeleted(std::int64_t deletedBefore)
{
    return guarded("purging deleted sessions", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db,
                     deletedBefore > 0
                         ? "DELETE FROM sessions WHERE deleted_at IS NOT NULL AND deleted_at <= ?"
                         : "DELETE FROM sessions WHERE deleted_at IS NOT NULL");
        if (deletedBefore > 0)
            st.bind(1, deletedBefore);
        Transaction tx(m_impl->db, "");
        const long n = st.run();
        tx.commit();
        return n;
    });
}

Result<std::vector<SessionInfo>> SessionStore::listSessions(const SessionQuery &q) const
{
    return guarded("listing sessions", [&] {
        std::string sql = std::string("SELECT ") + kSessionColumns + " FROM sessions s WHERE 1";
        std::vector<std::variant<std::int64_t, std::string>> args;
        if (!q.includeDeleted)
            sql += " AND s.deleted_at IS NULL";
        if (!q.text.empty()) {
            sql += " AND (instr(lower(s.name), lower(?)) > 0 OR EXISTS (SELECT 1 FROM prompts p "
                   "WHERE p.session_id = s.id AND instr(lower(p.text), lower(?)) > 0))";
            args.insert(args.end(), {q.text, q.text});
        }
        if (!q.method.empty()) {
            sql += " AND EXISTS (SELECT 1 FROM runs r WHERE r.session_id = s.id AND r.method = ?)";
            args.emplace_back(q.method);
        }
        if (!q.model.empty()) {
            sql += " AND EXISTS (SELECT 1 FROM runs r WHERE r.session_id = s.id AND "
                   "(r.model_name = ? OR (r.model_checksum <> '' AND r.model_checksum = ?)))";
            args.insert(args.end(), {q.model, q.model});
        }
        if (!q.tag.empty()) {
            sql += " AND EXISTS (SELECT 1 FROM session_tags t WHERE t.session_id = s.id AND t.tag "
                   "= ?)";
            args.emplace_back(q.tag);
        }
        if (q.updatedFrom > 0) {
            sql += " AND s.updated >= ?";
            args.emplace_back(q.updatedFrom);
        }
        if (q.updatedTo > 0) {
            sql += " AND s.updated <= ?";
            args.emplace_back(q.updatedTo);
        }
        switch (q.sort) {
        case SessionSort::UpdatedDesc:
            sql += " ORDER BY s.updated DESC, s.id DESC";
            break;
        case SessionSort::UpdatedAsc:
            sql += " ORDER BY s.updated ASC, s.id ASC";
            break;
        case SessionSort::CreatedDesc:
            sql += " ORDER BY s.created DESC, s.id DESC";
            break;
        case SessionSort::CreatedAsc:
            sql += " ORDER BY s.created ASC, s.id ASC";
            break;
        case SessionSort::NameAsc:
            sql += " ORDER BY s.name COLLATE NOCASE ASC, s.id ASC";
            break;
        case SessionSort::NameDesc:
            sql += " ORDER BY s.name COLLATE NOCASE DESC, s.id DESC";
            break;
        }
        sql += " LIMIT ? OFFSET ?";
        args.emplace_back(static_cast<std::int64_t>(q.limit < 0 ? -1 : q.limit));
        args.emplace_back(static_cast<std::int64_t>(std::max(0, q.offset)));
        Statement st(m_impl->db, sql);
        for (std::size_t i = 0; i < args.size(); ++i)
            std::visit([&](const auto &v) { st.bind(static_cast<int>(i + 1), v); }, args[i]);
        std::vector<SessionInfo> out;
        while (st.step())
            out.push_back(sessionFromRow(st));
        for (auto &s : out)
            s.tags = m_impl->readTags(s.id);
        return out;
    });
}

} // namespace terse
