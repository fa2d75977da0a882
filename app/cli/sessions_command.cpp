// `terse sessions`: list, show, export, import, delete, undelete and rename saved sessions, and
// the `terse compress --save` hook that stores a run.
#include "cli.h"

#include "terse/session_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
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

void printSessionsHelp()
{
    std::printf(
        "usage: terse sessions <command> [--db PATH] [--json]\n"
        "commands:\n"
        "  list [--search TEXT] [--method NAME] [--model NAME] [--tag TAG] [--sort date|name]\n"
        "       [--limit N] [--offset N] [--deleted]   list sessions, newest first\n"
        "  show ID                   a session and its runs\n"
        "  export [ID...] --out FILE write sessions (default: all) as terse-sessions JSON\n"
        "  import FILE               import sessions from an export; invalid ones are skipped\n"
        "  delete ID                 move a session to the trash (undo with undelete)\n"
        "  undelete ID               restore a deleted session\n"
        "  rename ID NAME            rename a session\n"
        "options:\n"
        "  --db PATH  the session database (default: $XDG_DATA_HOME/terse/sessions.sqlite3)\n"
        "  --json     machine-readable output\n"
        "exit codes: 0 ok, 1 database failure, 2 bad command line, 3 unusable file or some\n"
        "            sessions skipped by import, 4 session or file not found\n");
}

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

Result<std::string> databasePath(const Args &args)
{
    if (args.has("--db")) {
        if (args.get("--db").empty())
            return fail(ErrorCode::InvalidArgument, "--db needs a path");
        return args.get("--db");
    }
    return defaultDatabasePath();
}

Result<std::int64_t> parseId(const std::string &text)
{
    auto id = parseLong("session ID", text, 1, std::numeric_limits<long>::max());
    if (!id)
        return id.error();
    return static_cast<std::int64_t>(*id);
}

// Positional count check: `sessions VERB` takes exactly `n` arguments named by `what`.
bool needPositionals(const Args &args, std::size_t n, const std::string &verb,
                     const std::string &what, int *rc)
{
    if (args.positionals.size() == n)
        return true;
    *rc = reportError("sessions " + verb + " needs " + what + " (got " +
                          std::to_string(args.positionals.size()) +
                          " arguments; see terse sessions --help)",
                      kExitUsage);
    return false;
}

int list(SessionStore &store, const Args &args)
{
    SessionQuery q;
    q.text = args.get("--search");
    q.method = args.get("--method");
    q.model = args.get("--model");
    q.tag = args.get("--tag");
    q.includeDeleted = args.has("--deleted");
    const std::string sort = args.get("--sort", "date");
    if (sort == "name")
        q.sort = SessionSort::NameAsc;
    else if (sort != "date")
        return reportError("--sort must be 'date' or 'name', got '" + sort + "'", kExitUsage);
    if (args.has("--limit")) {
        auto n = parseLong("--limit", args.get("--limit"), 0, std::numeric_limits<int>::max());
        if (!n)
            return reportError(n.error().detail, kExitUsage);
        q.limit = static_cast<int>(*n);
    }
    if (args.has("--offset")) {
        auto n = parseLong("--offset", args.get("--offset"), 0, std::numeric_limits<int>::max());
        if (!n)
            return reportError(n.error().detail, kExitUsage);
        q.offset = static_cast<int>(*n);
    }
    auto sessions = store.listSessions(q);
    if (!sessions)
        return reportError(sessions.error().detail, sessionsExitCode(sessions.error()));
    if (args.has("--json")) {
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

int show(SessionStore &store, const Args &args)
{
    int rc = kExitOk;
    if (!needPositionals(args, 1, "show", "a session ID", &rc))
        return rc;
    auto id = parseId(args.positionals[0]);
    if (!id)
        return reportError(id.error().detail, kExitUsage);
    auto s = store.session(*id);
    if (!s)
        return reportError(s.error().detail, sessionsExitCode(s.error()));
    auto runs = store.listRuns(*id);
    if (!runs)
        return reportError(runs.error().detail, sessionsExitCode(runs.error()));
    if (args.has("--json")) {
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

int exportSessions(SessionStore &store, const Args &args)
{
    if (!args.has("--out") || args.get("--out").empty())
        return reportError("sessions export needs --out FILE", kExitUsage);
    std::vector<std::int64_t> ids;
    for (const auto &p : args.positionals) {
        auto id = parseId(p);
        if (!id)
            return reportError(id.error().detail, kExitUsage);
        ids.push_back(*id);
    }
    const std::string out = args.get("--out");
    auto done = store.exportSessionsToFile(out, ids);
    if (!done)
        return reportError(done.error().detail, sessionsExitCode(done.error()));
    const std::size_t count = ids.empty() ? store.listSessions()->size() : ids.size();
    if (args.has("--json"))
        printJson({{"exported", count}, {"file", out}});
    else
        std::printf("exported %zu session%s to %s\n", count, count == 1 ? "" : "s", out.c_str());
    return kExitOk;
}

int importSessions(SessionStore &store, const Args &args)
{
    int rc = kExitOk;
    if (!needPositionals(args, 1, "import", "one FILE", &rc))
        return rc;
    auto report = store.importSessionsFromFile(args.positionals[0]);
    if (!report)
        return reportError(report.error().detail, sessionsExitCode(report.error()));
    if (args.has("--json")) {
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

int deleteOrRestore(SessionStore &store, const Args &args, bool restore)
{
    int rc = kExitOk;
    const std::string verb = restore ? "undelete" : "delete";
    if (!needPositionals(args, 1, verb, "a session ID", &rc))
        return rc;
    auto id = parseId(args.positionals[0]);
    if (!id)
        return reportError(id.error().detail, kExitUsage);
    auto done = restore ? store.undoDelete(*id) : store.deleteSession(*id);
    if (!done)
        return reportError(done.error().detail, sessionsExitCode(done.error()));
    if (args.has("--json"))
        printJson({{restore ? "restored" : "deleted", *id}});
    else if (restore)
        std::printf("restored session %lld\n", static_cast<long long>(*id));
    else
        std::printf("deleted session %lld (undo: terse sessions undelete %lld)\n",
                    static_cast<long long>(*id), static_cast<long long>(*id));
    return kExitOk;
}

int rename(SessionStore &store, const Args &args)
{
    int rc = kExitOk;
    if (!needPositionals(args, 2, "rename", "a session ID and a NAME", &rc))
        return rc;
    auto id = parseId(args.positionals[0]);
    if (!id)
        return reportError(id.error().detail, kExitUsage);
    auto done = store.renameSession(*id, args.positionals[1]);
    if (!done)
        return reportError(done.error().detail, sessionsExitCode(done.error()));
    if (args.has("--json"))
        printJson({{"renamed", *id}, {"name", args.positionals[1]}});
    else
        std::printf("renamed session %lld to '%s'\n", static_cast<long long>(*id),
                    args.positionals[1].c_str());
    return kExitOk;
}

Result<SessionStore> openStore(const Args &args)
{
    auto path = databasePath(args);
    if (!path)
        return path.error();
    return SessionStore::open(*path);
}

} // namespace

int runSessions(int argc, char **argv)
{
    const std::string verb = argc > 2 ? argv[2] : "";
    if (verb == "--help" || verb == "-h" || verb == "help") {
        printSessionsHelp();
        return kExitOk;
    }
    static const char *verbs[] = {"list",   "show",     "export", "import",
                                  "delete", "undelete", "rename"};
    if (verb.empty())
        return reportError(
            "sessions needs a command: list, show, export, import, delete, undelete or rename "
            "(see terse sessions --help)",
            kExitUsage);
    if (std::find(std::begin(verbs), std::end(verbs), verb) == std::end(verbs))
        return reportError("unknown sessions command '" + verb + "' (see terse sessions --help)",
                           kExitUsage);
    auto args = parseArgs(argc, argv, 3,
                          {"--db", "--out", "--search", "--method", "--model", "--tag", "--sort",
                           "--limit", "--offset"},
                          {"--json", "--deleted", "--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse sessions --help)", kExitUsage);
    if (args->has("--help")) {
        printSessionsHelp();
        return kExitOk;
    }
    auto store = openStore(*args);
    if (!store)
        return reportError(store.error().detail, sessionsExitCode(store.error()));
    if (store->schemaIsNewer())
        std::fprintf(stderr,
                     "terse: warning: %s was written by a newer Terse; it is open read-only\n",
                     store->path().c_str());
    if (verb == "list")
        return list(*store, *args);
    if (verb == "show")
        return show(*store, *args);
    if (verb == "export")
        return exportSessions(*store, *args);
    if (verb == "import")
        return importSessions(*store, *args);
    if (verb == "delete" || verb == "undelete")
        return deleteOrRestore(*store, *args, verb == "undelete");
    return rename(*store, *args);
}

int saveCompressedRun(const Args &args, const Prompt &prompt, const CompressOptions &options,
                      const CompressionResult &result)
{
    auto store = openStore(args);
    if (!store)
        return reportError(store.error().detail, sessionsExitCode(store.error()));
    std::string name = args.get("--session");
    const bool named = !name.empty();
    if (!named) {
        // One session per unnamed run, named after the method and the prompt's first words.
        std::string head = prompt.joined().substr(0, 40);
        while (!head.empty() && (static_cast<unsigned char>(head.back()) & 0xC0) == 0x80)
            head.pop_back(); // do not end inside a UTF-8 sequence
        if (!head.empty() && static_cast<unsigned char>(head.back()) >= 0xC0)
            head.pop_back();
        for (char &c : head)
            if (c == '\n' || c == '\r' || c == '\t')
                c = ' ';
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
