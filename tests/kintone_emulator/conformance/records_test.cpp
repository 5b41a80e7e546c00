// Record endpoints over sockets: add, get, update by id and key, upsert, delete, bulk limits
// and all-or-nothing, revisions, value shapes.
#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

class kintone_records : public kintone_test {};

TEST_F(kintone_records, add_then_get_renders_every_field_as_kintone_does) {
  const auto id = add_customer("C1", "Ada",
                               record_of({{"credit_limit", "1.5e1"},
                                          {"tags", json::array{"vip"}},
                                          {"owner", json::array{json::object{{"code", "sato"}}}},
                                          {"last_contact", "2025-01-01T09:30:45+09:00"},
                                          {"unknown_code", "ignored"}}));
  EXPECT_EQ(id, "1");
  const auto r = get_record(1, id);
  EXPECT_EQ(r.at("credit_limit"), (json::value(json::object{{"type", "NUMBER"}, {"value", "15"}})));
  EXPECT_EQ(r.at("tags").at("value"), (json::array{"vip"}));
  EXPECT_EQ(r.at("owner").at("value"), (json::array{json::object{{"code", "sato"}, {"name", "Sato Hanako"}}}));
  EXPECT_EQ(r.at("last_contact").at("value"), "2025-01-01T00:30:00Z");
  EXPECT_EQ(r.at("status").at("value"), nullptr);
  EXPECT_EQ(r.at("birthday").at("value"), nullptr);
  EXPECT_EQ(r.at("tier").at("value"), "bronze");
  EXPECT_EQ(r.at("$id"), (json::value(json::object{{"type", "__ID__"}, {"value", "1"}})));
  EXPECT_EQ(r.at("$revision"), (json::value(json::object{{"type", "__REVISION__"}, {"value", "1"}})));
  EXPECT_EQ(r.at("Record_number").at("value"), "1");
  EXPECT_EQ(r.at("Created_by").at("value").at("code"), "Administrator");
  const std::string created(r.at("Created_datetime").at("value").as_string());
  EXPECT_EQ(created.size(), 20u);
  EXPECT_EQ(created.substr(17), "00Z");  // minute precision
  EXPECT_FALSE(r.contains("unknown_code"));
  EXPECT_EQ(get_record(1, id).at("contacts").at("type"), "SUBTABLE");
  const auto missing = call("GET", "/k/v1/record.json?app=1&id=99");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(code_of(missing), "GAIA_RE01");
}

TEST_F(kintone_records, validation_errors_are_cb_va01_keyed_per_record) {
  add_customer("C1", "Ada");
  const auto single =
      call("POST", "/k/v1/record.json",
           json::object{{"app", 1}, {"record", record_of({{"customer_code", "C1"}, {"credit_limit", "abc"}})}});
  EXPECT_EQ(single.status, 400);
  EXPECT_EQ(code_of(single), "CB_VA01");
  EXPECT_EQ(error_keys(single), (std::vector<std::string>{"record[credit_limit].value", "record.name.value",
                                                          "record.customer_code.value"}));
  const auto bulk = call(
      "POST", "/k/v1/records.json",
      json::object{{"app", 1},
                   {"records",
                    json::array{record_of({{"customer_code", "C2"}, {"name", "x"}}),
                                record_of({{"customer_code", "C1"}, {"name", "y"}}),
                                record_of({{"customer_code", "C3"}, {"name", "z"}, {"tags", json::array{"gold"}}})}}});
  EXPECT_EQ(bulk.status, 400);
  EXPECT_EQ(error_keys(bulk), (std::vector<std::string>{"records[1].customer_code.value", "records[2].tags.value"}));
  // Nothing of the failed batch was stored, and no id was used.
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1&totalCount=true").json().at("totalCount"), "1");
  EXPECT_EQ(add_customer("C2", "x"), "2");
}

TEST_F(kintone_records, bulk_add_returns_ids_in_request_order_and_caps_at_100) {
  json::array records;
  for (int i = 0; i < 3; ++i)
    records.push_back(record_of({{"customer_code", json::string("K" + std::to_string(i))}, {"name", "n"}}));
  const auto ok = call("POST", "/k/v1/records.json", json::object{{"app", 1}, {"records", records}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("ids"), (json::array{"1", "2", "3"}));
  EXPECT_EQ(ok.json().at("revisions"), (json::array{"1", "1", "1"}));
  json::array many;
  for (int i = 0; i < 101; ++i)
    many.push_back(record_of({{"customer_code", json::string("M" + std::to_string(i))}, {"name", "n"}}));
  const auto too_many = call("POST", "/k/v1/records.json", json::object{{"app", 1}, {"records", many}});
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(error_keys(too_many), (std::vector<std::string>{"records"}));
  many.pop_back();
  EXPECT_EQ(call("POST", "/k/v1/records.json", json::object{{"app", 1}, {"records", many}}).status, 200);
}

TEST_F(kintone_records, updates_raise_the_revision_and_a_stale_one_is_409) {
  const auto id = add_customer("C1", "Ada");
  const auto put =
      call("PUT", "/k/v1/record.json",
           json::object{{"app", 1}, {"id", id}, {"revision", "1"}, {"record", record_of({{"name", "Ada L"}})}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json(), (json::value(json::object{{"revision", "2"}})));
  const auto stale =
      call("PUT", "/k/v1/record.json",
           json::object{{"app", 1}, {"id", 1}, {"revision", 1}, {"record", record_of({{"name", "lost"}})}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(code_of(stale), "GAIA_CO02");
  const auto by_key = call("PUT", "/k/v1/record.json",
                           json::object{{"app", 1},
                                        {"updateKey", json::object{{"field", "customer_code"}, {"value", "C1"}}},
                                        {"revision", -1},
                                        {"record", record_of({{"credit_limit", 7}})}});
  EXPECT_EQ(by_key.json().at("revision"), "3");
  EXPECT_EQ(get_record(1, id).at("name").at("value"), "Ada L");
  const auto no_key = call("PUT", "/k/v1/record.json",
                           json::object{{"app", 1},
                                        {"updateKey", json::object{{"field", "customer_code"}, {"value", "nope"}}},
                                        {"record", json::object{}}});
  EXPECT_EQ(no_key.status, 404);
  EXPECT_EQ(code_of(no_key), "GAIA_RE20");
  const auto not_unique = call(
      "PUT", "/k/v1/record.json",
      json::object{
          {"app", 1}, {"updateKey", json::object{{"field", "name"}, {"value", "Ada L"}}}, {"record", json::object{}}});
  EXPECT_EQ(code_of(not_unique), "CB_VA01");
}

TEST_F(kintone_records, bulk_update_is_all_or_nothing) {
  add_customer("A", "a");
  add_customer("B", "b");
  const auto failed = call(
      "PUT", "/k/v1/records.json",
      json::object{{"app", 1},
                   {"records", json::array{json::object{{"id", 1}, {"record", record_of({{"name", "changed"}})}},
                                           json::object{{"id", 2}, {"revision", 9}, {"record", json::object{}}}}}});
  EXPECT_EQ(failed.status, 409);
  EXPECT_EQ(get_record(1, "1").at("name").at("value"), "a");
  EXPECT_EQ(get_record(1, "1").at("$revision").at("value"), "1");
  const auto dup = call(
      "PUT", "/k/v1/records.json",
      json::object{{"app", 1},
                   {"records", json::array{json::object{{"id", 1}, {"record", record_of({{"name", "x"}})}},
                                           json::object{{"id", 2}, {"record", record_of({{"customer_code", "A"}})}}}}});
  EXPECT_EQ(error_keys(dup), (std::vector<std::string>{"records[1].customer_code.value"}));
  const auto ok =
      call("PUT", "/k/v1/records.json",
           json::object{{"app", 1},
                        {"records", json::array{json::object{{"id", 2}, {"record", record_of({{"name", "B2"}})}},
                                                json::object{{"id", 1}, {"record", record_of({{"name", "A2"}})}}}}});
  EXPECT_EQ(ok.json().at("records"),
            (json::array{json::object{{"id", "2"}, {"revision", "2"}}, json::object{{"id", "1"}, {"revision", "2"}}}));
}

TEST_F(kintone_records, upsert_inserts_or_updates_by_key_and_needs_add_and_edit) {
  add_customer("A", "a");
  const json::object body{
      {"app", 1},
      {"upsert", true},
      {"records", json::array{json::object{{"updateKey", json::object{{"field", "customer_code"}, {"value", "N"}}},
                                           {"record", record_of({{"name", "new"}})}},
                              json::object{{"updateKey", json::object{{"field", "customer_code"}, {"value", "A"}}},
                                           {"record", record_of({{"name", "a2"}})}}}}};
  const auto up = call("PUT", "/k/v1/records.json", body);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json().at("records"),
            (json::array{json::object{{"id", "2"}, {"revision", "1"}, {"operation", "INSERT"}},
                         json::object{{"id", "1"}, {"revision", "2"}, {"operation", "UPDATE"}}}));
  EXPECT_EQ(get_record(1, "2").at("customer_code").at("value"), "N");
  // The sales user may add and edit; the viewer may not, and neither may a view token.
  EXPECT_EQ(code_of(call("PUT", "/k/v1/records.json", body, {{"X-Cybozu-API-Token", customers_view}})), "GAIA_NO01");
  EXPECT_EQ(call("PUT", "/k/v1/records.json", body, {{"X-Cybozu-Authorization", "c2FsZXM6c2FsZXMtcGFzcw=="}}).status,
            200);
}

TEST_F(kintone_records, delete_checks_every_id_and_revision_first) {
  add_customer("A", "a");
  add_customer("B", "b");
  const auto missing = call("DELETE", "/k/v1/records.json?app=1&ids[0]=1&ids[1]=5");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(code_of(missing), "GAIA_RE01");
  const auto stale = call("DELETE", "/k/v1/records.json",
                          json::object{{"app", 1}, {"ids", json::array{1, 2}}, {"revisions", json::array{1, 4}}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1&totalCount=true").json().at("totalCount"), "2");
  const auto ok = call("DELETE", "/k/v1/records.json?app=1&ids[]=1&ids[]=2&revisions[]=1&revisions[]=-1");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json(), json::value(json::object{}));
  EXPECT_EQ(call("GET", "/k/v1/records.json?app=1&totalCount=true").json().at("totalCount"), "0");
  EXPECT_EQ(add_customer("C", "c"), "3");  // ids are never reused
}

TEST_F(kintone_records, refuses_subtable_and_file_misuse_and_bad_json) {
  const auto file =
      call("POST", "/k/v1/record.json",
           json::object{{"app", 1},
                        {"record", record_of({{"customer_code", "A"},
                                              {"name", "a"},
                                              {"attachments", json::array{json::object{{"fileKey", "k"}}}}})}});
  EXPECT_EQ(error_keys(file), (std::vector<std::string>{"record[attachments].value"}));
  const auto table =
      call("POST", "/k/v1/record.json",
           json::object{{"app", 1}, {"record", record_of({{"customer_code", "A"}, {"name", "a"}, {"contacts", "x"}})}});
  EXPECT_EQ(error_keys(table), (std::vector<std::string>{"record[contacts].value"}));
  const auto bad = ks::test::http_call(base_url(), "POST", "/k/v1/record.json",
                                       "{\"app\":", {{"X-Cybozu-API-Token", customers_full}});
  check_shape("POST", "/k/v1/record.json", bad);
  EXPECT_EQ(code_of(bad), "CB_IJ01");
  EXPECT_EQ(code_of(call("POST", "/k/v1/record.json", json::object{{"record", json::object{}}})), "CB_VA01");
  EXPECT_EQ(code_of(call("POST", "/k/v1/record.json", json::object{{"app", 99}})), "GAIA_AP01");
}

}  // namespace
}  // namespace kintone_emulator::conformance
