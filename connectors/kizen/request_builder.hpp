#pragma once
// The requests of every Kizen operation the client performs: method, encoded target and exact
// JSON body. Pure: no I/O, no state. Arguments that cannot make a valid request (an entity id
// that is not a UUID, an empty lookup value, a write with both value and add_values, ...) give
// an error naming the argument instead of a request.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "connectors/kizen/api_request.hpp"
#include "connectors/kizen/field_write.hpp"
#include "connectors/kizen/search_query.hpp"

namespace ks::kizen {

// add's "unarchive" and upsert's "oncreate_unarchive": what happens when the new record
// collides with an archived one. `server_default` leaves the key out of the body.
enum class unarchive_mode { server_default, prompt, unarchive, overwrite };

struct upsert_options {
  unarchive_mode oncreate_unarchive = unarchive_mode::server_default;
  bool overwrite_archived_conflict = false;  // "onupdate_archived_conflict": "overwrite"
  bool return_all_fields = false;
};

class request_builder {
 public:
  using built = result<api_request, std::string>;

  // GET /api/records/{object}/{id}[?field_names=a,b]
  static built get_record(std::string_view object, std::string_view entity_id,
                          const std::vector<std::string>& field_names = {});
  // PATCH /api/records/{object}/{id}[?return_all_fields=true]  {"fields":[...]}
  // overwrite_archived_conflict adds "archived_conflict":"overwrite": an identity (name, email)
  // held by an archived record is taken over instead of refused.
  static built patch_record(std::string_view object, std::string_view entity_id, const std::vector<field_write>& writes,
                            bool return_all_fields = false, bool overwrite_archived_conflict = false);
  // PUT /api/records/{object}/{id}  {"fields":[...][,"archived_conflict":"overwrite"]}
  static built put_record(std::string_view object, std::string_view entity_id, const std::vector<field_write>& writes,
                          bool overwrite_archived_conflict = false);
  // POST /api/records/{object}/add  {"fields":[...][,"unarchive":"..."]}
  static built add_record(std::string_view object, const std::vector<field_write>& writes,
                          unarchive_mode unarchive = unarchive_mode::server_default);
  // POST /api/records/{object}/upsert  {"lookup_value":"...","fields":[...],...}
  static built upsert_record(std::string_view object, std::string_view lookup_value,
                             const std::vector<field_write>& writes, const upsert_options& options = {});
  // GET /api/records/{object}/lookup?identifier=...[&field_names=a,b][&all_fields=true]
  // (without field_names or all_fields, Kizen returns the default fields only)
  static built lookup_record(std::string_view object, std::string_view identifier,
                             const std::vector<std::string>& field_names = {}, bool all_fields = false);
  // POST /api/records/{object}/search?page=N&page_size=&ordering=&search=  {"query":[...],...}
  // page: 1-based; nullopt leaves it out (the first page).
  static built search_records(std::string_view object, const search_query& query,
                              std::optional<int> page = std::nullopt);
  // The search body alone, re-POSTed to each "next" URL.
  static result<std::string, std::string> search_body(const search_query& query);
  // DELETE /api/records/{object}/{id}  (archives)
  static built archive_record(std::string_view object, std::string_view entity_id);
  // PATCH /api/records/{object}/{id}/unarchive
  static built unarchive_record(std::string_view object, std::string_view entity_id);
  // GET /api/records/{entity_id}/field-values/{field_id}?page=&page_size=&search=
  static built field_values(std::string_view entity_id, std::string_view field_id,
                            std::optional<int> page = std::nullopt, std::optional<int> page_size = std::nullopt,
                            std::string_view search = {});
  // GET /api/custom-objects?custom_only=false[&page=N][&page_size=M]
  static built list_objects(std::optional<int> page = std::nullopt, std::optional<int> page_size = std::nullopt);
  // GET /api/custom-objects/{object uuid}/fields/settings-search[?page_size=M]
  static built list_fields(std::string_view object_uuid, std::optional<int> page_size = std::nullopt);
};

}  // namespace ks::kizen
