#pragma once
// holdfastctl's human output: each reply of the control socket (and the sniff
// report) as a readable table. Pure: JSON in, text out.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/sniff/sniff_model.h"

namespace holdfast::ctl {

// Left-aligned columns, two spaces apart, sized to their widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string str(const std::string& indent = "") const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

std::string statusText(const nlohmann::json& reply);
std::string vrrpText(const nlohmann::json& reply);
std::string checksText(const nlohmann::json& reply);
std::string whyText(const nlohmann::json& reply);
std::string eventText(const nlohmann::json& event);  // one line
std::string reloadText(const nlohmann::json& reply);
std::string sniffText(const sniff::Report& report);
nlohmann::json sniffJson(const sniff::Report& report);

}  // namespace holdfast::ctl
