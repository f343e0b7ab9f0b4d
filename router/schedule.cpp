#include "router/schedule.h"
