/*
 * The float and double accessors and builders, which pass values in SSE registers as the
 * System V ABI does.
 */
#include "internal.h"

float hs_arg_float(const hs_call *call, int index)
{
    return hs_arg_typed(call, index, HS_TYPE_FLOAT, "hs_arg_float")->as.f32;
}

double hs_arg_double(const hs_call *call, int index)
{
    return hs_arg_typed(call, index, HS_TYPE_DOUBLE, "hs_arg_double")->as.f64;
}

void hs_return_float(hs_result *result, float value)
{
    hs_value v = hs_float(value);
    hs_return_value(result, &v);
}

void hs_return_double(hs_result *result, double value)
{
    hs_value v = hs_double(value);
    hs_return_value(result, &v);
}
