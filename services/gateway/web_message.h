#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace lexroute {

// One HTTP request to the worker app's door, read whole (bounded: WorkerAppServer), and the
// answer to it.
using WebRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WebResponse = boost::beast::http::response<boost::beast::http::string_body>;

}  // namespace lexroute
