// The /__emulator/ control surface: reset, state, request log, clock.
#include "conformance_fixture.hpp"

namespace kizen_emulator::conformance {
namespace {

class emulator_control_api : public emulator_test {};

TEST_F(emulator_control_api, state_shows_every_record_with_plain_values) {
  const auto company = add("companies", fields_of({{"name", "Acme"}, {"industry", json::object{{"name", "Retail"}}}}));
  const auto contact =
      add("client_client",
          json::array{json::object{{"name", "email"}, {"value", "a@example.com"}},
                      json::object{{"name", "company"}, {"value", json::object{{"id", company.at("id")}}}},
                      json::object{{"name", "tags"}, {"add_values", json::array{json::object{{"name", "x"}}}}}});
  api("DELETE", "/api/records/client_client/" + std::string(contact.at("id").as_string()));
  const auto state = control("GET", "/__emulator/state").json();
  const auto& c = state.at("objects").at("client_client").at(0).as_object();
  EXPECT_EQ(c.at("archived"), true);
  EXPECT_EQ(c.at("fields").at("email"), "a@example.com");
  EXPECT_EQ(c.at("fields").at("company"), company.at("id"));
  EXPECT_EQ(c.at("fields").at("tags"), json::value(json::array{"x"}));
  EXPECT_EQ(c.at("created"), contact.at("created"));
  EXPECT_EQ(state.at("objects").at("companies").at(0).at("fields").at("industry"), "Retail");
  EXPECT_TRUE(state.at("objects").at("deals").as_array().empty());
}

TEST_F(emulator_control_api, request_log_counts_by_method_and_path_template) {
  const auto rec = add("companies", fields_of({{"name", "A"}}));
  const std::string id(rec.at("id").as_string());
  api("PATCH", "/api/records/companies/" + id + "?return_all_fields=true",
      json::object{{"fields", fields_of({{"employees", 1}})}});
  api("PATCH", "/api/records/companies/" + id, json::object{{"fields", fields_of({{"employees", 2}})}});
  api("GET", "/api/records/companies/not-a-uuid");
  control("GET", "/__emulator/state");  // not logged
  const auto log = control("GET", "/__emulator/requests").json();
  EXPECT_EQ(log.at("total"), 4);
  const auto& counts = log.at("counts").as_object();
  EXPECT_EQ(counts.at("POST /api/records/{object_identifier}/add"), 1);
  EXPECT_EQ(counts.at("PATCH /api/records/{object_identifier}/{entity_id}"), 2);
  EXPECT_EQ(counts.at("GET /api/records/{object_identifier}/{entity_id}"), 1);
  const auto& second = log.at("requests").at(1).as_object();
  EXPECT_EQ(second.at("seq"), 2);
  EXPECT_EQ(second.at("method"), "PATCH");
  EXPECT_EQ(second.at("path").as_string(), "/api/records/companies/" + id);
  EXPECT_EQ(second.at("query").at("return_all_fields"), "true");
  EXPECT_EQ(second.at("body").at("fields").at(0).at("value"), 1);
  EXPECT_EQ(second.at("status"), 200);
  EXPECT_EQ(log.at("requests").at(3).at("status"), 404);
  EXPECT_EQ(control("GET", "/__emulator/requests?since=3").json().at("requests").as_array().size(), 1u);
  EXPECT_EQ(control("DELETE", "/__emulator/requests").status, 204);
  EXPECT_EQ(control("GET", "/__emulator/requests").json().at("total"), 0);
}

TEST_F(emulator_control_api, reset_empties_the_store_turns_faults_off_and_unfreezes_the_clock) {
  add("companies", fields_of({{"name", "A"}}));
  add("client_client",
      json::array{json::object{{"name", "email"}, {"value", "t@example.com"}},
                  json::object{{"name", "tags"}, {"add_values", json::array{json::object{{"name", "temp"}}}}}});
  control("PUT", "/__emulator/faults", json::object{{"latency_ms", 1}, {"rate_limit", 1000}});
  control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2020-01-01T00:00:00Z"}});
  EXPECT_EQ(control("POST", "/__emulator/reset").status, 200);
  const auto state = control("GET", "/__emulator/state").json();
  EXPECT_TRUE(state.at("objects").at("companies").as_array().empty());
  EXPECT_TRUE(state.at("tags").at("client_client.tags").as_array().empty());
  const auto f = control("GET", "/__emulator/faults").json();
  EXPECT_EQ(f.at("latency_ms"), 0);
  EXPECT_EQ(f.at("rate_limit"), 0);
  EXPECT_TRUE(control("GET", "/__emulator/clock").json().at("frozen_at").is_null());
  EXPECT_EQ(control("GET", "/__emulator/requests").json().at("total"), 0);
}

TEST_F(emulator_control_api, frozen_clock_gives_every_write_the_same_timestamp) {
  ASSERT_EQ(control("PUT", "/__emulator/clock", json::object{{"frozen_at", "2025-01-01T12:00:00.123Z"}}).status, 200);
  const auto a = add("companies", fields_of({{"name", "A"}}));
  const auto b = add("companies", fields_of({{"name", "B"}}));
  EXPECT_EQ(a.at("updated"), "2025-01-01T12:00:00.123Z");
  EXPECT_EQ(b.at("created"), "2025-01-01T12:00:00.123Z");
  ASSERT_EQ(control("PUT", "/__emulator/clock", json::object{{"frozen_at", nullptr}}).status, 200);
  const auto c = add("companies", fields_of({{"name", "C"}}));
  EXPECT_GT(c.at("created").as_string(), "2025-01-01T12:00:00.123Z");
  EXPECT_EQ(control("PUT", "/__emulator/clock", json::object{{"frozen_at", "yesterday"}}).status, 400);
  EXPECT_EQ(control("GET", "/__emulator/nothing").status, 404);
}

}  // namespace
}  // namespace kizen_emulator::conformance
