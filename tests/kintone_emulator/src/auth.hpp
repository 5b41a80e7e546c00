#pragma once
// Who is calling: X-Cybozu-Authorization (base64 "login:password", checked first, as Kintone
// does when both are sent) or X-Cybozu-API-Token (one or several comma-separated tokens, each
// of one app). And what they may do on an app.

#include <optional>
#include <vector>

#include "common/result.hpp"
#include "errors.hpp"
#include "http_message.hpp"
#include "record_builder.hpp"
#include "schema.hpp"

namespace kintone_emulator {

struct principal {
  const user_def* user = nullptr;          // password authentication
  std::vector<const token_def*> tokens;    // token authentication
  std::vector<const app_def*> token_apps;  // the app of each token

  // The token sent for `app`, if any.
  const token_def* token_for(std::int64_t app) const;
};

// 401 CB_AU01 without credentials, 401 CB_WA01 for a bad login, 400 GAIA_IA02 for a token that
// no app has (or more than 9 tokens), 400 GAIA_DA03 for two tokens of one app.
ks::result<principal, api_error> authenticate(const request& req, const schema& s);

enum class action { view, add, edit, remove, upsert };

// 403 GAIA_NO01 for a token that is not of this app or lacks the permission; 403 CB_NO02 for a
// user without the right.
std::optional<api_error> authorize(const principal& who, const app_def& app, action what);

// The user a write is recorded under: the logged-in user, or for tokens the fixed
// "Administrator" entry Kintone shows for API token writes in the emulator.
writer_identity identity_for(const principal& who, const app_def& app);

}  // namespace kintone_emulator
