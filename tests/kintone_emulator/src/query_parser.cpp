// Tokenizer and recursive-descent parser of the query language.
#include <cctype>

#include "query.hpp"

namespace kintone_emulator {

namespace {

struct token {
  enum kind_t { word, string, symbol, end } kind = end;
  std::string text;
};

struct syntax_error {};

// Characters that end a bare word. A single quote is not a string delimiter in Kintone, so it is
// refused outright rather than read as part of a word.
bool is_delimiter(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == ',' || c == '"' || c == '=' ||
         c == '!' || c == '<' || c == '>' || c == '\'';
}

std::vector<token> tokenize(std::string_view s) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '"') {
      token t{token::string, {}};
      ++i;
      for (;;) {
        if (i >= s.size()) throw syntax_error{};
        const char d = s[i];
        if (static_cast<unsigned char>(d) < 0x20) throw syntax_error{};  // raw control characters
        if (d == '"') {
          ++i;
          break;
        }
        if (d == '\\') {
          if (i + 1 >= s.size() || (s[i + 1] != '"' && s[i + 1] != '\\')) throw syntax_error{};
          t.text += s[i + 1];
          i += 2;
          continue;
        }
        t.text += d;
        ++i;
      }
      out.push_back(std::move(t));
    } else if (c == '(' || c == ')' || c == ',') {
      out.push_back({token::symbol, std::string(1, c)});
      ++i;
    } else if (c == '=') {
      out.push_back({token::symbol, "="});
      ++i;
    } else if (c == '!') {
      if (i + 1 >= s.size() || s[i + 1] != '=') throw syntax_error{};
      out.push_back({token::symbol, "!="});
      i += 2;
    } else if (c == '<' || c == '>') {
      std::string op(1, c);
      if (i + 1 < s.size() && s[i + 1] == '=') op += '=';
      i += op.size();
      out.push_back({token::symbol, op});
    } else if (c == '\'') {
      throw syntax_error{};
    } else {
      const std::size_t start = i;
      while (i < s.size() && !is_delimiter(s[i])) ++i;
      out.push_back({token::word, std::string(s.substr(start, i - start))});
    }
  }
  out.push_back({token::end, {}});
  return out;
}

bool is_number_text(std::string_view w) {
  std::size_t i = 0;
  if (i < w.size() && w[i] == '-') ++i;
  bool digit = false, dot = false;
  for (; i < w.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(w[i])))
      digit = true;
    else if (w[i] == '.' && !dot)
      dot = true;
    else
      return false;
  }
  return digit;
}

bool is_keyword(std::string_view w) {
  static const char* const words[] = {"and",    "or", "order", "by",   "asc", "desc", "limit",
                                      "offset", "in", "not",   "like", "is",  "empty"};
  for (const char* k : words)
    if (w == k) return true;
  return false;
}

class parser {
 public:
  explicit parser(std::vector<token> tokens) : t_(std::move(tokens)) {}

  parsed_query parse() {
    parsed_query q;
    if (!at_word("order") && !at_word("limit") && !at_word("offset") && peek().kind != token::end) q.where = parse_or();
    if (accept_word("order")) {
      expect_word("by");
      do {
        order_key k;
        k.field = field_name();
        if (accept_word("asc"))
          k.ascending = true;
        else if (accept_word("desc"))
          k.ascending = false;
        else
          throw syntax_error{};
        q.order.push_back(std::move(k));
      } while (accept_symbol(","));
    }
    if (accept_word("limit")) q.limit = count();
    if (accept_word("offset")) q.offset = count();
    if (peek().kind != token::end) throw syntax_error{};
    return q;
  }

 private:
  const token& peek() const { return t_[pos_]; }
  const token& next() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }
  bool at_word(std::string_view w) const { return peek().kind == token::word && peek().text == w; }
  bool accept_word(std::string_view w) {
    if (!at_word(w)) return false;
    ++pos_;
    return true;
  }
  void expect_word(std::string_view w) {
    if (!accept_word(w)) throw syntax_error{};
  }
  bool accept_symbol(std::string_view s) {
    if (peek().kind != token::symbol || peek().text != s) return false;
    ++pos_;
    return true;
  }
  void expect_symbol(std::string_view s) {
    if (!accept_symbol(s)) throw syntax_error{};
  }

  std::string field_name() {
    const token& t = next();
    if (t.kind != token::word || is_keyword(t.text) || is_number_text(t.text)) throw syntax_error{};
    return t.text;
  }

  std::int64_t count() {
    const token& t = next();
    if (t.kind != token::word || t.text.empty() || t.text.size() > 9) throw syntax_error{};
    std::int64_t v = 0;
    for (char c : t.text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) throw syntax_error{};
      v = v * 10 + (c - '0');
    }
    return v;
  }

  query_literal literal() {
    const token& t = next();
    if (t.kind == token::string) return {true, t.text};
    // A bare word is a number, or a function call (NOW(), LOGINUSER(), ...), which the emulator does not offer.
    if (t.kind == token::word && is_number_text(t.text)) return {false, t.text};
    throw syntax_error{};
  }

  query_condition parse_or() {
    query_condition first = parse_and();
    if (!at_word("or")) return first;
    query_condition any{query_condition::any_of, {}, query_op::eq, {}, {}};
    any.children.push_back(std::move(first));
    while (accept_word("or")) any.children.push_back(parse_and());
    return any;
  }

  query_condition parse_and() {
    query_condition first = parse_primary();
    if (!at_word("and")) return first;
    query_condition all{query_condition::all_of, {}, query_op::eq, {}, {}};
    all.children.push_back(std::move(first));
    while (accept_word("and")) all.children.push_back(parse_primary());
    return all;
  }

  query_condition parse_primary() {
    if (accept_symbol("(")) {
      query_condition inner = parse_or();
      expect_symbol(")");
      return inner;
    }
    query_condition c;
    c.field = field_name();
    const token& t = peek();
    if (t.kind == token::symbol && t.text != "(" && t.text != ")" && t.text != ",") {
      static const std::pair<const char*, query_op> ops[] = {{"=", query_op::eq},  {"!=", query_op::ne},
                                                             {">", query_op::gt},  {"<", query_op::lt},
                                                             {">=", query_op::ge}, {"<=", query_op::le}};
      for (const auto& [text, op] : ops)
        if (t.text == text) c.op = op;
      ++pos_;
      c.values.push_back(literal());
    } else if (accept_word("in")) {
      c.op = query_op::in;
      list(c);
    } else if (accept_word("like")) {
      c.op = query_op::like;
      c.values.push_back(literal());
    } else if (accept_word("not")) {
      if (accept_word("in")) {
        c.op = query_op::not_in;
        list(c);
      } else if (accept_word("like")) {
        c.op = query_op::not_like;
        c.values.push_back(literal());
      } else {
        throw syntax_error{};
      }
    } else if (accept_word("is")) {
      c.op = accept_word("not") ? query_op::is_not_empty : query_op::is_empty;
      expect_word("empty");
    } else {
      throw syntax_error{};
    }
    return c;
  }

  void list(query_condition& c) {
    expect_symbol("(");
    do c.values.push_back(literal());
    while (accept_symbol(","));
    expect_symbol(")");
  }

  std::vector<token> t_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string_view op_text(query_op op) {
  switch (op) {
    case query_op::eq: return "=";
    case query_op::ne: return "!=";
    case query_op::gt: return ">";
    case query_op::lt: return "<";
    case query_op::ge: return ">=";
    case query_op::le: return "<=";
    case query_op::in: return "in";
    case query_op::not_in: return "not in";
    case query_op::like: return "like";
    case query_op::not_like: return "not like";
    case query_op::is_empty: return "is empty";
    case query_op::is_not_empty: return "is not empty";
  }
  return "?";
}

ks::result<parsed_query, api_error> parse_query(std::string_view text) {
  try {
    return parser(tokenize(text)).parse();
  } catch (const syntax_error&) {
    return ks::fail(errors::query_syntax());
  }
}

}  // namespace kintone_emulator
