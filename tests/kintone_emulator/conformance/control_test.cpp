// The control surface, the metadata endpoints and the command line.
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>

#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

class kintone_control : public kintone_test {};

TEST_F(kintone_control, clock_sets_record_times_to_the_minute) {
  const auto set =
      control("PUT", "/__emulator/clock", json::object{{"now", "2025-03-01T12:34:56+09:00"}, {"frozen", true}});
  EXPECT_EQ(set.json().at("now"), "2025-03-01T03:34:56Z");
  EXPECT_EQ(set.json().at("frozen"), true);
  const auto id = add_customer("A", "a");
  EXPECT_EQ(get_record(1, id).at("Created_datetime").at("value"), "2025-03-01T03:34:00Z");
  control("PUT", "/__emulator/clock", json::object{{"advance_ms", 90'000}});
  call("PUT", "/k/v1/record.json", json::object{{"app", 1}, {"id", id}, {"record", record_of({{"name", "b"}})}});
  const auto r = get_record(1, id);
  EXPECT_EQ(r.at("Updated_datetime").at("value"), "2025-03-01T03:36:00Z");
  EXPECT_EQ(r.at("Created_datetime").at("value"), "2025-03-01T03:34:00Z");
  // Seeking by update time finds it.
  const auto found =
      call("GET", "/k/v1/records.json?app=1&query=Updated_datetime%20%3E%20%222025-03-01T03%3A35%3A00Z%22");
  EXPECT_EQ(found.json().at("records").as_array().size(), 1u);
  EXPECT_EQ(control("PUT", "/__emulator/clock", json::object{{"now", "yesterday"}}).status, 400);
}

TEST_F(kintone_control, writes_as_a_kintone_user_bump_revision_and_update_time) {
  control("PUT", "/__emulator/clock", json::object{{"now", "2025-01-01T00:00:00Z"}, {"frozen", true}});
  const auto id = add_customer("A", "a");
  control("PUT", "/__emulator/clock", json::object{{"advance_seconds", 300}});
  const auto edit = control(
      "PUT", "/__emulator/apps/1/records",
      json::object{{"user", "sato"},
                   {"records", json::array{json::object{{"id", 1}, {"record", record_of({{"name", "by sato"}})}}}}});
  ASSERT_EQ(edit.status, 200) << edit.body;
  EXPECT_EQ(edit.json().at("records").at(0).at("revision"), "2");
  const auto r = get_record(1, id);
  EXPECT_EQ(r.at("name").at("value"), "by sato");
  EXPECT_EQ(r.at("Updated_by").at("value").at("code"), "sato");
  EXPECT_EQ(r.at("Updated_datetime").at("value"), "2025-01-01T00:05:00Z");
  // The client's stale revision now loses.
  EXPECT_EQ(code_of(call("PUT", "/k/v1/record.json",
                         json::object{{"app", 1}, {"id", id}, {"revision", 1}, {"record", json::object{}}})),
            "GAIA_CO02");
  const auto added =
      control("POST", "/__emulator/apps/1/records",
              json::object{{"records", json::array{record_of({{"customer_code", "B"}, {"name", "b"}})}}});
  EXPECT_EQ(added.json().at("records").at(0).at("id"), "2");
  const auto invalid =
      control("POST", "/__emulator/apps/1/records", json::object{{"records", json::array{record_of({{"name", "b"}})}}});
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(code_of(invalid), "CB_VA01");
  EXPECT_EQ(control("DELETE", "/__emulator/apps/1/records", json::object{{"ids", json::array{2}}}).status, 200);
  // Control writes are neither logged nor counted.
  EXPECT_EQ(control("GET", "/__emulator/requests").json().at("counts").as_object().count("POST /k/v1/record.json"), 1u);
  EXPECT_EQ(control("GET", "/__emulator/counters").json().at("apps").at("1").at("requests_today"), 3);
}

TEST_F(kintone_control, state_log_and_reset) {
  add_customer("A", "a");
  const auto state = control("GET", "/__emulator/state").json();
  EXPECT_EQ(state.at("format"), "kintone-emulator-state/1");
  EXPECT_EQ(state.at("apps").at("1").at("records").at(0).at("values").at("customer_code"), "A");
  EXPECT_EQ(state.at("apps").at("1").at("next_id"), 2);
  const auto log = control("GET", "/__emulator/requests").json();
  EXPECT_EQ(log.at("total"), 1);
  EXPECT_EQ(log.at("requests").at(0).at("app"), 1);
  EXPECT_EQ(log.at("requests").at(0).at("status"), 200);
  EXPECT_EQ(log.at("counts").at("POST /k/v1/record.json"), 1);
  call("GET", "/k/v1/records.json?app=1", nullptr, {});
  EXPECT_EQ(control("GET", "/__emulator/requests?since=1").json().at("requests").at(0).at("code"), "CB_AU01");
  EXPECT_EQ(control("DELETE", "/__emulator/requests").status, 204);
  EXPECT_EQ(control("GET", "/__emulator/requests").json().at("total"), 0);
  EXPECT_EQ(
      control("PUT", "/__emulator/faults", json::object{{"rules", json::array{json::object{{"kind", "boom"}}}}}).status,
      400);
  EXPECT_EQ(control("POST", "/__emulator/reset").status, 200);
  EXPECT_EQ(control("GET", "/__emulator/state").json().at("apps").at("1").at("records").as_array().size(), 0u);
  EXPECT_EQ(control("GET", "/__emulator/health").json().at("ok"), true);
}

TEST_F(kintone_control, app_metadata_lists_fields_with_their_settings) {
  const auto form = call("GET", "/k/v1/app/form/fields.json?app=1");
  ASSERT_EQ(form.status, 200);
  const auto body = form.json();
  const auto& props = body.at("properties");
  EXPECT_EQ(props.at("customer_code").at("unique"), true);
  EXPECT_EQ(props.at("customer_code").at("required"), true);
  EXPECT_EQ(props.at("tags").at("options").at("partner").at("index"), "2");
  EXPECT_EQ(props.at("contacts").at("type"), "SUBTABLE");
  EXPECT_EQ(props.at("attachments").at("type"), "FILE");
  EXPECT_EQ(props.at("Updated_datetime").at("type"), "UPDATED_TIME");
  EXPECT_FALSE(props.as_object().contains("$id"));
  const auto app = call("GET", "/k/v1/app.json?id=1").json();
  EXPECT_EQ(app.at("appId"), "1");
  EXPECT_EQ(app.at("name"), "customers");
  EXPECT_TRUE(app.at("spaceId").is_null());
}

int run_status(const std::vector<std::string>& args) {
  std::string cmd = ks::test::kintone_emulator_path();
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " >/dev/null 2>&1";
  const int s = std::system(cmd.c_str());
  return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
}

TEST_F(kintone_control, command_line_errors_exit_2_and_help_exits_0) {
  EXPECT_EQ(run_status({"--help"}), 0);
  EXPECT_EQ(run_status({"--bogus"}), 2);
  EXPECT_EQ(run_status({"--listen", "nowhere"}), 2);
  EXPECT_EQ(run_status({"--schema", "/nonexistent.yaml"}), 2);
  EXPECT_EQ(run_status({"--api-token", "x:99:view"}), 2);
  EXPECT_EQ(run_status({"--concurrency-limit", "0"}), 2);
}

TEST_F(kintone_control, flags_add_tokens_and_users_and_state_survives_a_restart) {
  char dir[] = "/tmp/kintone-emulator-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string state = std::string(dir) + "/state.json";
  restart({"--state", state, "--api-token", "flag-token:2:view,add", "--user", "ops:ops-pass"});
  const json::object deal{{"app", 2}, {"record", record_of({{"deal_id", "1"}, {"title", "t"}})}};
  ASSERT_EQ(call("POST", "/k/v1/record.json", deal, {{"X-Cybozu-API-Token", "flag-token"}}).status, 200);
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1", nullptr, {{"X-Cybozu-Authorization", "b3BzOm9wcy1wYXNz"}}).status,
            200);
  EXPECT_EQ(process().stop(), 0);
  restart({"--state", state});
  const auto again = call("GET", "/k/v1/record.json?app=2&id=1", nullptr, {{"X-Cybozu-API-Token", "deals-view"}});
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("record").at("title").at("value"), "t");
  const auto next = call("POST", "/k/v1/record.json",
                         json::object{{"app", 2}, {"record", record_of({{"deal_id", "2"}, {"title", "u"}})}},
                         {{"X-Cybozu-API-Token", "deals-full"}});
  EXPECT_EQ(next.json().at("id"), "2");
  emulator_.reset();
  std::remove(state.c_str());
  ::rmdir(dir);
}

TEST_F(kintone_control, a_custom_schema_replaces_the_default) {
  char path[] = "/tmp/kintone-schema-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "apps:\n  - id: 42\n    name: widgets\n    tokens: [{token: w, permissions: [view, add]}]\n"
                         "    fields:\n      - {code: sku, type: SINGLE_LINE_TEXT, unique: true}\n";
  restart({"--schema", path});
  const auto add = call("POST", "/k/v1/record.json", json::object{{"app", 42}, {"record", record_of({{"sku", "X"}})}},
                        {{"X-Cybozu-API-Token", "w"}});
  EXPECT_EQ(add.status, 200);
  EXPECT_EQ(code_of(call("GET", "/k/v1/records.json?app=1", nullptr, {{"X-Cybozu-API-Token", "w"}})), "GAIA_AP01");
  std::ofstream(path) << "apps:\n  - id: 1\n    name: bad\n    fields:\n      - {code: x, type: NOPE}\n";
  EXPECT_EQ(run_status({"--schema", path}), 2);
  std::remove(path);
}

}  // namespace
}  // namespace kintone_emulator::conformance
