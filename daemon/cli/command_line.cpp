#include "daemon/cli/command_line.hpp"

#include "common/uuid_text.hpp"

#include <charconv>

namespace ks::cli {

namespace {

struct command_entry {
  const char* name;
  command_kind kind;
};

constexpr command_entry commands[] = {
    {"run", command_kind::run},       {"migrate", command_kind::migrate}, {"check", command_kind::check},
    {"status", command_kind::status}, {"replay", command_kind::replay},   {"resync", command_kind::resync},
    {"help", command_kind::help},     {"version", command_kind::version},
};

constexpr const char* overview = R"(kizen-sync keeps PostgreSQL tables and Kizen CRM records in step, both ways.

Usage: kizen-sync <command> -c FILE [options]

Commands:
  run       run the sync daemon in the foreground (systemd: Type=notify)
  migrate   create/update the sync schema and install capture triggers (idempotent)
  check     validate the config file; --online also checks PostgreSQL and Kizen
  status    backlog, oldest pending change, dead letters, last pull, per object
  replay    put dead-lettered changes back in the queue
  resync    full load or repair of one object, in one direction
  version   print the version

Run `kizen-sync <command> --help` for the options of a command.
Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
The config file is YAML; ${VAR} and ${VAR:-default} expand from the environment
(see config/examples/full.yaml).
)";

constexpr const char* run_help = R"(Usage: kizen-sync run -c FILE

Runs the daemon in the foreground until SIGTERM or SIGINT:
  - sends every committed change of a mapped table to Kizen (outbox, woken by NOTIFY),
  - pulls Kizen changes into the tables every pull_interval (objects with direction both/from_kizen),
  - serves /healthz and /metrics on daemon.http_listen.
Logs are JSON lines on stderr. systemd: READY=1 once started, WATCHDOG=1 while healthy.
SIGTERM stops claiming new work, lets in-flight requests finish within daemon.shutdown_grace,
releases the rest (it stays queued) and exits 0. SIGHUP reloads the config file; an invalid
file is reported and the running config is kept.
Run `kizen-sync migrate -c FILE` first, and again after changing the mapped columns.

Options:
  -c, --config FILE   the config file (required)
  -h, --help          this text
)";

constexpr const char* migrate_help = R"(Usage: kizen-sync migrate -c FILE

Creates or updates the sync schema (postgres.schema, default kizen_sync): the outbox, the identity
map and the pull cursors, then installs or refreshes the capture trigger on every mapped table and
drops triggers of objects no longer in the config. Runs in one transaction under an advisory lock:
safe to run twice, or from two hosts at once. Prints what it changed.

Options:
  -c, --config FILE   the config file (required)
  -h, --help          this text
)";

constexpr const char* check_help = R"(Usage: kizen-sync check -c FILE [--online]

Validates the config file and prints `ok`, or every problem as FILE:LINE:COL: message.
Warnings (e.g. tls_verify: false) are printed but do not fail the check.

Options:
  -c, --config FILE   the config file (required)
      --online        also connect to PostgreSQL (tables, columns, unique keys, triggers) and call
                      Kizen once per object (credentials, object names, mapped fields)
  -h, --help          this text
Exit codes: 0 ok, 1 the online checks could not connect, 2 problems found.
)";

constexpr const char* status_help = R"(Usage: kizen-sync status -c FILE [--json]

Per object: pending changes (backlog), age of the oldest pending change, changes in flight, dead
letters with their last errors, mapped records, last pull time, pull cursor and pull lag.
Reads the sync schema only; works while the daemon runs.

Options:
  -c, --config FILE   the config file (required)
      --json          one JSON document instead of a table
  -h, --help          this text
)";

constexpr const char* replay_help =
    R"(Usage: kizen-sync replay -c FILE (--all | --change ID ...) [--object OBJECT] [--skip]
       kizen-sync replay -c FILE --inbound (--all | --record ID ...) [--object OBJECT] [--skip]

Puts dead-lettered changes back in the queue (state pending, attempts reset). A dead change blocks
later changes of the same key, so fix the cause (e.g. the row's value) and replay it; the daemon
then applies it and everything queued behind it, in order. Prints how many changes were requeued.

With --skip the selected dead changes are not sent at all: they are marked done ("skipped by
operator"; kept in the outbox for the retention period) and the key's later changes go ahead.
Their values are never sent (a later change of the same columns sends its own). Use it for a
change Kizen will never accept, e.g. an update of a record deleted there on purpose.

With --inbound it acts on the inbound failure list instead: Kizen records the sync could not write
to their table (a value the table refuses, a row lock that timed out, a record no row can hold).
They are retried with backoff by themselves; replay retries the selected ones at the next pull, and
--skip drops them from the list (the record stays as it is in Kizen and is not written to the
table, until Kizen changes it again). `kizen-sync status` lists them with the reason.

Options:
  -c, --config FILE   the config file (required)
      --all           every dead change (of --object, if given)
      --change ID     one change by its outbox id; repeat for several
      --inbound       the inbound failure list instead of dead letters
      --record ID     with --inbound: one Kizen record by its id; repeat for several
      --object OBJECT only changes (records) of this Kizen object
      --skip          mark the selected dead changes done without sending them (with --inbound:
                      drop the selected records from the list)
  -h, --help          this text
)";

constexpr const char* resync_help =
    R"(Usage: kizen-sync resync -c FILE --object OBJECT --direction to_kizen|from_kizen [--restart]

Full load or repair of one object:
  to_kizen    queues every row of the table as a change (applied by the running daemon, or by this
              command if no daemon runs), so Kizen ends equal to the table;
  from_kizen  walks every record of the object in Kizen and writes it to the table.
Resumable: an interrupted resync continues where it stopped (use --restart to begin again).
Prints a progress line: done/total, rate, ETA.

Options:
  -c, --config FILE           the config file (required)
      --object OBJECT         the Kizen object identifier as in the config (required)
      --direction DIRECTION   to_kizen or from_kizen (required)
      --restart               ignore saved progress
  -h, --help                  this text
)";

std::optional<command_kind> find_command(const std::string& name) {
  for (const auto& c : commands)
    if (name == c.name) return c.kind;
  return std::nullopt;
}

parse_outcome fail(std::string message, command_kind kind) {
  return {std::nullopt, usage_error{std::move(message), kind == command_kind::help ? "" : command_name(kind)}};
}

// Which options each command accepts.
bool accepts(command_kind kind, const std::string& option) {
  if (option == "--help" || option == "-h") return true;
  if (option == "--config" || option == "-c") return kind != command_kind::help && kind != command_kind::version;
  switch (kind) {
    case command_kind::check: return option == "--online";
    case command_kind::status: return option == "--json";
    case command_kind::replay:
      return option == "--all" || option == "--change" || option == "--object" || option == "--skip" ||
             option == "--inbound" || option == "--record";
    case command_kind::resync: return option == "--object" || option == "--direction" || option == "--restart";
    default: return false;
  }
}

bool takes_value(const std::string& option) {
  return option == "--config" || option == "-c" || option == "--change" || option == "--object" ||
         option == "--direction" || option == "--record";
}

}  // namespace

const char* command_name(command_kind command) {
  for (const auto& c : commands)
    if (c.kind == command) return c.name;
  return "help";
}

std::string help_text(command_kind command) {
  switch (command) {
    case command_kind::run: return run_help;
    case command_kind::migrate: return migrate_help;
    case command_kind::check: return check_help;
    case command_kind::status: return status_help;
    case command_kind::replay: return replay_help;
    case command_kind::resync: return resync_help;
    default: return overview;
  }
}

namespace {

// Options without a value: each sets one member.
struct flag_option {
  const char* name;
  bool command_line::*member;
};
constexpr flag_option flag_options[] = {
    {"--help", &command_line::help},       {"-h", &command_line::help},           {"--online", &command_line::online},
    {"--json", &command_line::json},       {"--all", &command_line::replay_all},  {"--skip", &command_line::skip},
    {"--restart", &command_line::restart}, {"--inbound", &command_line::inbound},
};

bool command_line::*flag_member(const std::string& option) {
  for (const auto& f : flag_options)
    if (option == f.name) return f.member;
  return nullptr;
}

}  // namespace

parse_outcome parse_command_line(const std::vector<std::string>& args) {
  command_line line;
  if (args.empty()) return fail("no command given", command_kind::help);
  if (args[0] == "--help" || args[0] == "-h") return {line, std::nullopt};
  if (args[0] == "--version") {
    line.command = command_kind::version;
    return {line, std::nullopt};
  }
  const auto kind = find_command(args[0]);
  if (!kind) return fail("unknown command '" + args[0] + "'", command_kind::help);
  line.command = *kind;

  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string option = args[i];
    std::optional<std::string> inline_value;
    if (const auto eq = option.find('='); option.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = option.substr(eq + 1);
      option = option.substr(0, eq);
    }
    if (line.command == command_kind::help && option.rfind("-", 0) != 0) {
      // `kizen-sync help run` shows the page of `run`.
      const auto topic = find_command(option);
      if (!topic) return fail("unknown command '" + option + "'", command_kind::help);
      line.command = *topic;
      line.help = true;
      continue;
    }
    if (!accepts(line.command, option)) {
      if (option.rfind("-", 0) != 0) return fail("unexpected argument '" + option + "'", line.command);
      return fail("unknown option '" + option + "' for " + command_name(line.command), line.command);
    }
    std::string value;
    if (takes_value(option)) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return fail("option '" + option + "' needs a value", line.command);
      }
      if (value.empty()) return fail("option '" + option + "' needs a value", line.command);
    } else if (inline_value) {
      return fail("option '" + option + "' takes no value", line.command);
    }

    if (bool command_line::*flag = flag_member(option)) {
      line.*flag = true;
    } else if (option == "--config" || option == "-c") {
      line.config_path = value;
    } else if (option == "--record") {
      if (!is_uuid(value)) return fail("--record needs a Kizen record id (a UUID), got '" + value + "'", line.command);
      line.record_ids.push_back(normalize_uuid(value));
    } else if (option == "--object") {
      line.object = value;
    } else if (option == "--change") {
      long long id = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
      if (ec != std::errc() || end != value.data() + value.size() || id <= 0)
        return fail("--change needs a positive outbox id, got '" + value + "'", line.command);
      line.change_ids.push_back(id);
    } else if (option == "--direction") {
      if (value == "to_kizen") {
        line.direction = resync_direction::to_kizen;
      } else if (value == "from_kizen") {
        line.direction = resync_direction::from_kizen;
      } else {
        return fail("--direction must be to_kizen or from_kizen, got '" + value + "'", line.command);
      }
    }
  }

  if (line.help || line.command == command_kind::help || line.command == command_kind::version)
    return {line, std::nullopt};
  if (line.config_path.empty())
    return fail(std::string(command_name(line.command)) + " needs -c FILE (the config file)", line.command);
  if (line.command == command_kind::replay) {
    if (line.inbound && !line.change_ids.empty())
      return fail("--change selects dead letters; with --inbound use --record ID", line.command);
    if (!line.inbound && !line.record_ids.empty()) return fail("--record needs --inbound", line.command);
    const bool selected = line.inbound ? !line.record_ids.empty() : !line.change_ids.empty();
    if (line.replay_all == selected)
      return fail(line.inbound ? "replay --inbound needs either --all or --record ID (not both)"
                               : "replay needs either --all or --change ID (not both)",
                  line.command);
  }
  if (line.command == command_kind::resync) {
    if (!line.object) return fail("resync needs --object OBJECT", line.command);
    if (!line.direction) return fail("resync needs --direction to_kizen|from_kizen", line.command);
  }
  return {line, std::nullopt};
}

}  // namespace ks::cli
