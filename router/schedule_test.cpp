#include "router/schedule.h"

#include <gtest/gtest.h>
