// `terse sessions`: list, show, export, import, delete, undelete and rename saved sessions, and
// the `terse compress --save` hook that stores a run.
#include "cli.h"
#include "command_line.h"

#include "terse/session_store.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <limits>

namespace terse::cli {

namespace {
// In the sessions verbs a malformed file is the user's own input (an import file, the database):
// exit 3, as the README's table says; elsewhere a malformed model or dataset file is a failed
// operation (1).
int sessionsExitCode(const Error &error)
{
    return error.code == ErrorCode::FormatError ? kExitInput : exitCodeFor(error);
}
} // namespace

namespace {

// The command line of `terse sessions`, bound by CLI11 (runSessions); each subcommand fills the
// fields it declares.
struct SessionsArgs {
    std::string db; // --db; empty: the default database
    bool json = false;
    SessionQuery query; // list: --search, --method, --model, --tag, --deleted, --limit, --offset
    std::string sort = "date";
    std::int64_t id = 0;           // show, delete, undelete, rename
    std::vector<std::int64_t> ids; // export
    std::string out, file, name;   // export --out, import FILE, rename NAME
};

std::string formatTime(std::int64_t ms)
{
    if (ms <= 0)
        return "-";
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

nlohmann::json sessionJson(const SessionInfo &s)
{
    return {
        {"id", s.id},
        {"name", s.name},
        {"created", s.created},
        {"updated", s.updated},
        {"tags", s.tags},
        {"notes", s.notes},
        {"runs", s.runCount},
        {"is_autosave", s.isAutosave},
        {"deleted_at", s.deletedAt == 0 ? nlohmann::json(nullptr) : nlohmann::json(s.deletedAt)}};
}

nlohmann::json runJson(const RunInfo &r)
{
    return {
        {"id", r.id},
        {"method", r.method},
        {"mode", modeName(r.mode)},
        {"model", {{"name", r.model.name}, {"path", r.model.path}, {"checksum", r.model.checksum}}},
        {"engine_version", r.engineVersion},
        {"created", r.created},
        {"tokens_in", r.tokensIn},
        {"tokens_out", r.tokensOut},
        {"achieved_rate", r.achievedRate}};
}

void printJson(const nlohmann::json &j)
{
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

int list(SessionStore &store, const SessionsArgs &a)
{
    SessionQuery q = a.query;
    if (a.sort == "name")
        q.sort = SessionSort::NameAsc;
    auto sessions = store.listSessions(q);
    if (!sessions)
        return reportError(sessions.error().detail, sessionsExitCode(sessions.error()));
    if (a.json) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto &s : *sessions)
            a.push_back(sessionJson(s));
        printJson(a);
        return kExitOk;
    }
    if (sessions->empty()) {
        std::printf("no sessions\n");
        return kExitOk;
    }
    std::printf("%6s  %-19s  %5s  %s\n", "ID", "UPDATED", "RUNS", "NAME");
    for (const auto &s : *sessions) {
        std::string tags;
        for (const auto &t : s.tags)
            tags += (tags.empty() ? " [" : ", ") + t;
        if (!tags.empty())
            tags += "]";
        std::printf("%6lld  %-19s  %5ld  %s%s%s\n", static_cast<long long>(s.id),
                    formatTime(s.updated).c_str(), s.runCount, s.name.c_str(), tags.c_str(),
                    s.deletedAt ? " (deleted)" : "");
    }
    return kExitOk;
}

int show(SessionStore &store, const SessionsArgs &a)
{
    auto s = store.session(a.id);
    if (!s)
        return reportError(s.error().detail, sessionsExitCode(s.error()));
    auto runs = store.listRuns(a.id);
    if (!runs)
        return reportError(runs.error().detail, sessionsExitCode(runs.error()));
    if (a.json) {
        nlohmann::json j = sessionJson(*s);
        j["runs"] = nlohmann::json::array();
        for (const auto &r : *runs)
            j["runs"].push_back(runJson(r));
        printJson(j);
        return kExitOk;
    }
    std::printf("session %lld: %s%s\n", static_cast<long long>(s->id), s->name.c_str(),
                s->deletedAt ? " (deleted)" : "");
    std::printf("created  %s\nupdated  %s\n", formatTime(s->created).c_str(),
                formatTime(s->updated).c_str());
    if (!s->tags.empty()) {
        std::string tags;
        for (const auto &t : s->tags)
            tags += (tags.empty() ? "" : ", ") + t;
        std::printf("tags     %s\n", tags.c_str());
    }
    if (!s->notes.empty())
        std::printf("notes    %s\n", s->notes.c_str());
    std::printf("runs     %zu\n", runs->size());
    for (const auto &r : *runs)
        std::printf("  run %lld  %s  %s (%s)  %ld -> %ld %s (%.3f)%s%s\n",
                    static_cast<long long>(r.id), formatTime(r.created).c_str(), r.method.c_str(),
                    modeName(r.mode), r.tokensIn, r.tokensOut, "units", r.achievedRate,
                    r.model.name.empty() ? "" : "  model ", r.model.name.c_str());
    return kExitOk;
}

int exportSessions(SessionStore &store, const SessionsArgs &a)
{
    const std::vector<std::int64_t> &ids = a.ids;
    const std::string &out = a.out;
    auto done = store.exportSessionsToFile(out, ids);
    if (!done)
        return reportError(done.error().detail, sessionsExitCode(done.error()));
    const std::size_t count = ids.empty() ? store.listSessions()->size() : ids.size();
    if (a.json)
        printJson({{"exported", count}, {"file", out}});
    else
        std::printf("exported %zu session%s to %s\n", count, count == 1 ? "" : "s", out.c_str());
    return kExitOk;
}

int importSessions(SessionStore &store, const SessionsArgs &a)
{
    auto report = store.importSessionsFromFile(a.file);
    if (!report)
        return reportError(report.error().detail, sessionsExitCode(report.error()));
    if (a.json) {
        nlohmann::json imported = nlohmann::json::array(), skipped = nlohmann::json::array();
        for (const auto &i : report->imported)
            imported.push_back(
                {{"index", i.index}, {"name", i.name}, {"id", i.id}, {"runs", i.runs}});
        for (const auto &s : report->skipped)
            skipped.push_back({{"index", s.index}, {"name", s.name}, {"reason", s.reason}});
        printJson({{"imported", imported}, {"skipped", skipped}});
    } else {
        for (const auto &i : report->imported)
            std::printf("imported '%s' as session %lld (%ld run%s)\n", i.name.c_str(),
                        static_cast<long long>(i.id), i.runs, i.runs == 1 ? "" : "s");
        for (const auto &s : report->skipped)
            std::fprintf(stderr, "terse: skipped session %d '%s': %s\n", s.index, s.name.c_str(),
                         s.reason.c_str());
        std::printf("%zu imported, %zu skipped\n", report->imported.size(), report->skipped.size());
    }
    return report->skipped.empty() ? kExitOk : kExitInput;
}

int deleteOrRestore(SessionStore &store, const SessionsArgs &a, bool restore)
{
    auto done = restore ? store.undoDelete(a.id) : store.deleteSession(a.id);
    if (!done)
        return reportError(done.error().detail, sessionsExitCode(done.error()));
    if (a.json)
        printJson({{restore ? "restored" : "deleted", a.id}});
    else if (restore)
        std::printf("restored session %lld\n", static_cast<long long>(a.id));
    else
        std::printf("deleted session %lld (undo: terse sessions undelete %lld)\n",
                    static_cast<long long>(a.id), static_cast<long long>(a.id));
    return kExitOk;
}

int rename(SessionStore &store, const SessionsArgs &a)
{
    auto done = store.renameSession(a.id, a.name);
    if (!done)
        return reportError(done.error().detail, sessionsExitCode(done.error()));
    if (a.json)
        printJson({{"renamed", a.id}, {"name", a.name}});
    else
        std::printf("renamed session %lld to '%s'\n", static_cast<long long>(a.id), a.name.c_str());
    return kExitOk;
}

Result<SessionStore> openStore(const std::string &db)
{
    if (!db.empty())
        return SessionStore::open(db);
    auto path = defaultDatabasePath();
    if (!path)
        return path.error();
    return SessionStore::open(*path);
}

} // namespace

int runSessions(int argc, char **argv)
{
    CLI::App app("Lists, shows, exports, imports, deletes and renames the sessions saved by Terse "
                 "Studio\nand terse compress --save.",
                 "terse sessions");
    configureApp(app, "Exit codes: 0 ok, 1 database failure, 2 bad command line, 3 unusable file "
                      "or some\n  sessions skipped by import, 4 session or file not found");
    app.require_subcommand(1);
    SessionsArgs a;
    // Every subcommand takes --db and --json.
    auto common = [&](CLI::App *sub) {
        sub->add_option("--db", a.db,
                        "the session database (default: $XDG_DATA_HOME/terse/sessions.sqlite3)")
            ->type_name("PATH")
            ->check(nonEmpty());
        sub->add_flag("--json", a.json, "machine-readable output");
        return sub;
    };
    auto addId = [&](CLI::App *sub, const std::string &what) {
        sub->add_option("ID", a.id, what)
            ->required()
            ->transform(integerIn(1, std::numeric_limits<std::int64_t>::max()));
    };
    CLI::App *list = common(app.add_subcommand("list", "list sessions, newest first"));
    list->add_option("--search", a.query.text, "a text in the name or in a prompt");
    list->add_option("--method", a.query.method, "a run used this method")->type_name("NAME");
    list->add_option("--model", a.query.model, "a run used this model (name or checksum)")
        ->type_name("NAME");
    list->add_option("--tag", a.query.tag, "the session has this tag");
    list->add_option("--sort", a.sort, "date (newest first) or name")
        ->type_name("ORDER")
        ->check(CLI::IsMember({"date", "name"}))
        ->capture_default_str();
    list->add_option("--limit", a.query.limit, "list at most N sessions")
        ->type_name("N")
        ->transform(integerIn(0, std::numeric_limits<int>::max()));
    list->add_option("--offset", a.query.offset, "skip the first N sessions")
        ->type_name("N")
        ->transform(integerIn(0, std::numeric_limits<int>::max()))
        ->capture_default_str();
    list->add_flag("--deleted", a.query.includeDeleted, "list deleted sessions too");
    CLI::App *show = common(app.add_subcommand("show", "a session and its runs"));
    addId(show, "the session");
    CLI::App *exp = common(
        app.add_subcommand("export", "write sessions (default: all) as terse-sessions JSON"));
    exp->add_option("ID", a.ids, "the sessions to export (default: all)")
        ->transform(integerIn(1, std::numeric_limits<std::int64_t>::max()));
    exp->add_option("--out", a.out, "the file to write")
        ->type_name("FILE")
        ->required()
        ->check(nonEmpty());
    CLI::App *imp = common(app.add_subcommand(
        "import", "import sessions from an export; invalid ones are skipped (exit 3)"));
    imp->add_option("FILE", a.file, "a terse-sessions JSON file")->required();
    CLI::App *del =
        common(app.add_subcommand("delete", "move a session to the trash (undo with undelete)"));
    addId(del, "the session");
    CLI::App *undel = common(app.add_subcommand("undelete", "restore a deleted session"));
    addId(undel, "the session");
    CLI::App *ren = common(app.add_subcommand("rename", "rename a session"));
    addId(ren, "the session");
    ren->add_option("NAME", a.name, "its new name")->required();
    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;

    auto store = openStore(a.db);
    if (!store)
        return reportError(store.error().detail, sessionsExitCode(store.error()));
    if (store->schemaIsNewer())
        std::fprintf(stderr,
                     "terse: warning: %s was written by a newer Terse; it is open read-only\n",
                     store->path().c_str());
    if (list->parsed())
        return ::terse::cli::list(*store, a);
    if (show->parsed())
        return ::terse::cli::show(*store, a);
    if (exp->parsed())
        return exportSessions(*store, a);
    if (imp->parsed())
        return importSessions(*store, a);
    if (del->parsed() || undel->parsed())
        return deleteOrRestore(*store, a, undel->parsed());
    return rename(*store, a);
}

int saveCompressedRun(const std::string &db, const std::string &sessionName, const Prompt &prompt,
                      const CompressOptions &options, const CompressionResult &result)
{
    auto store = openStore(db);
    if (!store)
        return reportError(store.error().detail, sessionsExitCode(store.error()));
    std::string name = sessionName;
    const bool named = !name.empty();
    if (!named) {
        // One session per unnamed run, named after the method and the prompt's first 40 bytes,
        // each run of whitespace one space; one byte more is read to see whether the cut splits a
        // character.
        std::string head;
        for (const char c : prompt.joined()) {
            const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
            if (space && (head.empty() || head.back() == ' '))
                continue;
            head += space ? ' ' : c;
            if (head.size() > 40)
                break;
        }
        std::size_t cut = std::min<std::size_t>(head.size(), 40);
        while (cut > 0 && cut < head.size() &&
               (static_cast<unsigned char>(head[cut]) & 0xC0) == 0x80)
            --cut; // not inside a UTF-8 sequence
        head.resize(cut);
        while (!head.empty() && head.back() == ' ')
            head.pop_back();
        name = options.method + ": " + head;
    }
    auto session = named ? store->findOrCreateSession(name) : store->createSession(name);
    if (!session)
        return reportError(session.error().detail, sessionsExitCode(session.error()));
    auto run = store->saveRun(*session, prompt, options, ModelIdentity{}, result);
    if (!run) {
        // A failed save (disk full, read-only) leaves no empty session behind (issue 17).
        if (auto runs = store->listRuns(*session); runs && runs->empty())
            (void)store->deleteSession(*session);
        return reportError(run.error().detail, sessionsExitCode(run.error()));
    }
    std::fprintf(stderr, "terse: saved run %lld in session %lld ('%s') of %s\n",
                 static_cast<long long>(*run), static_cast<long long>(*session), name.c_str(),
                 store->path().c_str());
    return kExitOk;
}

} // namespace terse::cli
