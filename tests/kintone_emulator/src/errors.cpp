#include "errors.hpp"

#include <boost/json.hpp>
#include <cctype>

namespace kintone_emulator {

namespace json = boost::json;

language language_of(const std::optional<std::string>& accept_language) {
  if (!accept_language) return language::ja;
  std::string first = accept_language->substr(0, accept_language->find(','));
  first = first.substr(0, first.find(';'));
  while (!first.empty() && first.front() == ' ') first.erase(first.begin());
  for (auto& c : first) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return first == "en" || first.rfind("en-", 0) == 0 ? language::en : language::ja;
}

response render_error(const api_error& e, language lang, const std::string& id) {
  json::object body{{"code", e.code}, {"id", id}, {"message", e.message.in(lang)}};
  if (!e.errors.empty()) {
    json::object errs;
    for (const auto& f : e.errors) {
      auto& entry = errs[f.key];
      if (!entry.is_object()) entry = json::object{{"messages", json::array{}}};
      entry.as_object()["messages"].as_array().push_back(json::string(f.text.in(lang)));
    }
    body["errors"] = std::move(errs);
  }
  auto r = response::json(e.status, body);
  r.headers = e.headers;
  r.headers.emplace_back("X-Cybozu-Error", e.code);
  return r;
}

namespace errors {

namespace {

api_error make(int status, const char* code, std::string ja, std::string en) {
  api_error e;
  e.status = status;
  e.code = code;
  e.message = {std::move(ja), std::move(en)};
  return e;
}

}  // namespace

api_error not_logged_in() { return make(401, "CB_AU01", "ログインしてください。", "Please login."); }

api_error password_failed() {
  return make(401, "CB_WA01", "ユーザーのパスワード認証に失敗しました。", "Password authentication failed.");
}

api_error bad_token() {
  return make(
      400, "GAIA_IA02",
      "指定したAPIトークンは、アプリで生成されたトークンと異なります。アプリのAPIトークンの設定を確認してください。",
      "The specified API token does not match the API token generated via an app.");
}

api_error duplicate_token() {
  return make(400, "GAIA_DA03", "同じアプリのAPIトークンを重複して指定することはできません。",
              "You cannot specify a duplicate API token for the same app.");
}

api_error token_cannot() {
  return make(403, "GAIA_NO01", "このAPIトークンでは、指定したAPIを実行できません。",
              "Using this API token, you cannot run the specified API.");
}

api_error no_privilege() { return make(403, "CB_NO02", "権限がありません。", "No privilege to proceed."); }

api_error app_not_found(std::int64_t app) {
  const auto id = std::to_string(app);
  return make(404, "GAIA_AP01", "指定したアプリ（id: " + id + "）が見つかりません。削除されている可能性があります。",
              "The app (ID: " + id + ") not found. The app may have been deleted.");
}

api_error guest_path_needed() {
  return make(400, "GAIA_IL23",
              "ゲストスペース内のアプリを操作する場合は、リクエストの送信先を「/k/guest/（ゲストスペースのID）/v1/"
              "...」にしてください。",
              "You need to send a request to the URL: \"/k/guest/<Space ID>/v1/...\" to execute apps in Guest Spaces.");
}

api_error record_not_found(std::int64_t id) {
  const auto s = std::to_string(id);
  return make(404, "GAIA_RE01", "指定したレコード（id: " + s + "）が見つかりません。",
              "The specified record (ID: " + s + ") is not found.");
}

api_error key_not_found(const std::string& field) {
  return make(404, "GAIA_RE20", "指定したキー（" + field + "）に一致するレコードが見つかりません。",
              "No record matches the specified key (" + field + ").");
}

api_error stale_revision() {
  return make(409, "GAIA_CO02",
              "指定したrevisionは最新ではありません。ほかのユーザーがレコードを更新した可能性があります。",
              "The revision is not the latest. Someone may update a record after you opened it.");
}

api_error invalid_input(std::vector<field_message> errs) {
  auto e = make(400, "CB_VA01", "入力内容が正しくありません。", "Missing or invalid input.");
  e.errors = std::move(errs);
  return e;
}

api_error invalid_json() { return make(400, "CB_IJ01", "不正なJSON文字列です。", "Invalid JSON string."); }

api_error illegal_request() { return make(404, "CB_IL02", "不正なリクエストです。", "Illegal request."); }

api_error query_syntax() {
  return invalid_input({{"query", {"クエリ記法が間違っています。", "The query is invalid."}}});
}

api_error limit_too_large() {
  return make(400, "GAIA_QU01", "limitには500以下の値を指定してください。", "limit must be 500 or less.");
}

api_error offset_too_large() {
  return make(400, "GAIA_QU02", "offsetには10,000以下の値を指定してください。", "offset must be 10,000 or less.");
}

api_error query_field_not_found(const std::string& code) {
  return make(400, "GAIA_IQ11", "指定されたフィールド（" + code + "）が見つかりません。",
              "Specified field (" + code + ") not found.");
}

api_error query_operator(const std::string& code, const std::string& op) {
  return make(400, "GAIA_IQ03", "フィールド（" + code + "）のフィールドタイプには演算子" + op + "を使用できません。",
              "The operator " + op + " cannot be used for the field type of " + code + ".");
}

api_error query_option(const std::string& code, const std::string& value) {
  return make(400, "GAIA_IQ10", "フィールド（" + code + "）に存在しない選択肢（" + value + "）が指定されています。",
              "The option (" + value + ") does not exist in the field (" + code + ").");
}

api_error user_not_found(const std::string& code) {
  return make(400, "GAIA_IL26", "指定したユーザー（code：" + code + "）が見つかりません。",
              "The specified user (code: " + code + ") not found.");
}

api_error query_user() {
  return make(
      400, "GAIA_IL42",
      "レコードの絞り込み条件に指定したユーザー、グループ、または組織が存在しません。削除された可能性があります。",
      "The user, group, or department specified in the filter condition does not exist. It may have been deleted.");
}

api_error cursor_not_found() {
  return make(404, "GAIA_CN01", "指定したカーソルは存在しないか、既に有効期限が切れています。",
              "The specified cursor does not exist or has already expired.");
}

api_error too_many_cursors() {
  return make(429, "GAIA_TM12",
              "作成できるカーソルの上限に達しているため、カーソルを作成できません。不要なカーソルを削除するか、しばらく"
              "経ってから再実行してください。",
              "You cannot create a cursor because the maximum number of cursors has been reached. Delete unnecessary "
              "cursors or try again later.");
}

api_error concurrency(std::size_t limit, std::size_t running) {
  auto e = make(429, "GAIA_TO04",
                "同時に実行できるAPIリクエスト数の上限を超えています。しばらく経ってから再実行してください。",
                "The number of concurrent API requests exceeds the limit. Please try again later.");
  e.headers = {{"X-ConcurrencyLimit-Limit", std::to_string(limit)},
               {"X-ConcurrencyLimit-Running", std::to_string(running)}};
  return e;
}

api_error db_lock(const std::string& code, int status) {
  auto e = make(status, "GAIA_RE18",
                "データベースのロックに失敗したため、変更を保存できませんでした。時間をおいて再度お試しください。",
                "Failed to lock the database, so the changes could not be saved. Please try again later.");
  e.code = code;
  return e;
}

text_pair required() { return {"必須です。", "Required."}; }
text_pair not_a_number() { return {"数字でなければなりません。", "Only numbers are allowed."}; }
text_pair duplicate_value() {
  return {"値がほかのレコードと重複しています。", "This value already exists in another record."};
}
text_pair not_an_option(const std::string& value) {
  return {"\"" + value + "\"は選択肢にありません。", "The value, \"" + value + "\", is not in options."};
}
text_pair bad_date() { return {"日付の形式が正しくありません。", "Invalid date format."}; }
text_pair bad_datetime() { return {"日時の形式が正しくありません。", "Invalid date and time format."}; }
text_pair bad_value() { return {"値の形式が正しくありません。", "The value is invalid."}; }
text_pair not_updatable() { return {"このフィールドは変更できません。", "This field cannot be changed."}; }
text_pair too_many(const std::string& what, std::size_t max) {
  const auto n = std::to_string(max);
  return {"一度に" + n + "件までの" + what + "を指定できます。",
          "A maximum of " + n + " " + what + " can be specified at one time."};
}

}  // namespace errors

}  // namespace kintone_emulator
