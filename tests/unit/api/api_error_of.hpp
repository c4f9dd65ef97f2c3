#pragma once
// The ApiError a call throws; fails the test when it throws none.
#include <gtest/gtest.h>

#include "inbox/http/api_error.hpp"

namespace inbox::api::testing {

template <typename Fn>
http::ApiError error_of(Fn fn) {
    try {
        fn();
    } catch (const http::ApiError& error) {
        return error;
    }
    ADD_FAILURE() << "no ApiError thrown";
    return http::ApiError::bad_request("none");
}

}  // namespace inbox::api::testing
