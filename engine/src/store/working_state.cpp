// SessionStore: the autosaved working state of each app instance and the key/value settings.
#include "terse/session_store.h"

#include "store/codec.h"
#include "store/store_impl.h"

#include <nlohmann/json.hpp>

namespace terse {

using namespace terse::store;

Result<void> SessionStore::saveWorkingState(const WorkingState &state)
{
    return guarded("autosaving the working state", [&] {
        m_impl->requireWritable();
        if (state.instance.empty())
            throwError(ErrorCode::InvalidArgument, "the working state needs an instance name");
        const std::string prompt = dumpJson(segmentsToJson(state.prompt.segments));
        const std::string options = dumpJson(optionsToJson(state.options));
        Transaction tx(m_impl->db, "");
        if (state.sessionId != 0)
            m_impl->requireSession(state.sessionId);
        Statement st(m_impl->db,
                     "INSERT OR REPLACE INTO working_state(instance, session_id, prompt, options, "
                     "ui_state, saved) VALUES (?, ?, ?, ?, ?, ?)");
        st.bind(1, state.instance);
        if (state.sessionId != 0)
            st.bind(2, state.sessionId);
        else
            st.bindNull(2);
        st.bind(3, prompt).bind(4, options).bind(5, state.uiState).bind(6, nowMs()).run();
        tx.commit();
    });
}

Result<WorkingState> SessionStore::loadWorkingState(const std::string &instance) const
{
    return guarded("reading the autosaved working state", [&] {
        Statement st(m_impl->db,
                     "SELECT session_id, prompt, options, ui_state, saved FROM working_state "
                     "WHERE instance = ?");
        st.bind(1, instance);
        if (!st.step())
            throwError(ErrorCode::NotFound,
                       "no working state saved for instance '" + instance + "'");
        WorkingState w;
        w.instance = instance;
        w.sessionId = st.isNull(0) ? 0 : st.int64(0);
        w.prompt.segments = segmentsFromJson(parseJson(st.text(1), "prompt"), "prompt");
        w.options = optionsFromJson(parseJson(st.text(2), "options"), "options");
        w.uiState = st.text(3);
        w.savedAt = st.int64(4);
        return w;
    });
}

Result<void> SessionStore::clearWorkingState(const std::string &instance)
{
    return guarded("clearing the autosaved working state", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db, "DELETE FROM working_state WHERE instance = ?");
        st.bind(1, instance).run();
    });
}

Result<void> SessionStore::setSetting(const std::string &key, const std::string &value)
{
    return guarded("saving setting '" + key + "'", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db, "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)");
        st.bind(1, key).bind(2, value).run();
    });
}

Result<std::optional<std::string>> SessionStore::setting(const std::string &key) const
{
    return guarded("reading setting '" + key + "'", [&] {
        Statement st(m_impl->db, "SELECT value FROM settings WHERE key = ?");
        st.bind(1, key);
        return st.step() ? std::optional<std::string>(st.text(0)) : std::nullopt;
    });
}

Result<void> SessionStore::removeSetting(const std::string &key)
{
    return guarded("removing setting '" + key + "'", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db, "DELETE FROM settings WHERE key = ?");
        st.bind(1, key).run();
    });
}

} // namespace terse
