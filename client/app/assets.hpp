// The app's pages, styles and scripts (client/app/assets/), built into the
// binary at build time by embed_assets.cmake: nothing is read from disk or
// fetched from the network when the app runs.
#pragma once

#include <string_view>

namespace psm::client::app {

struct Asset {
  std::string_view path;          // "/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// The asset served at `path` ("/" is index.html), or nullptr.
const Asset* find_asset(std::string_view path);

}  // namespace psm::client::app
