/**
 * Known-safe callables of pandas and the time-zone libraries it pickles with (pytz, dateutil).
 *
 * @module
 */

import type { SafeTable } from "./safe.ts";

/** pandas' date offsets (`pandas.tseries.offsets`) by class name; `BDay` and the like are only aliases. */
const PANDAS_OFFSETS = [
  "DateOffset",
  "Tick",
  "Day",
  "Hour",
  "Minute",
  "Second",
  "Milli",
  "Micro",
  "Nano",
  "BusinessDay",
  "BusinessHour",
  "CustomBusinessDay",
  "CustomBusinessHour",
  "Week",
  "WeekOfMonth",
  "LastWeekOfMonth",
  "MonthBegin",
  "MonthEnd",
  "BusinessMonthBegin",
  "BusinessMonthEnd",
  "CustomBusinessMonthBegin",
  "CustomBusinessMonthEnd",
  "SemiMonthBegin",
  "SemiMonthEnd",
  "QuarterBegin",
  "QuarterEnd",
  "BQuarterBegin",
  "BQuarterEnd",
  "YearBegin",
  "YearEnd",
  "BYearBegin",
  "BYearEnd",
  "FY5253",
  "FY5253Quarter",
  "Easter",
];

/**
 * pandas names that only rebuild data, and the pytz and dateutil helpers its objects pickle with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_PANDAS } from "./safe_pandas.ts";
 * assert.equal(SAFE_PANDAS.library, "pandas");
 * assert.ok(SAFE_PANDAS.exact?.includes("dateutil.relativedelta.relativedelta"));
 * ```
 */
export const SAFE_PANDAS: SafeTable = {
  library: "pandas",
  exact: [
    // pandas frames, series, indexes, extension arrays, dtypes and scalars, and the helpers pandas pickles
    // them with (`_new_Index(cls, d)` calls `cls.__new__` of a class the pickle imports separately). A
    // time-zone name given to them is looked up in pytz's own zone list, or (`dateutil/...`) opened as a
    // regular file only to fail its TZif magic check: nothing is written, imported or evaluated.
    ...[
      "core.frame.DataFrame",
      "core.series.Series",
      "core.internals.managers.BlockManager",
      "core.internals.managers.SingleBlockManager",
      "_libs.internals._unpickle_block",
      "_libs.arrays.__pyx_unpickle_NDArrayBacked",
      "core.indexes.base.Index",
      "core.indexes.base._new_Index",
      "core.indexes.range.RangeIndex",
      "core.indexes.multi.MultiIndex",
      "core.indexes.category.CategoricalIndex",
      "core.indexes.datetimes.DatetimeIndex",
      "core.indexes.datetimes._new_DatetimeIndex",
      "core.indexes.timedeltas.TimedeltaIndex",
      "core.indexes.period.PeriodIndex",
      "core.indexes.interval.IntervalIndex",
      "core.indexes.interval._new_IntervalIndex",
      ...["Int64Index", "UInt64Index", "Float64Index"].map((c) => `core.indexes.numeric.${c}`),
      "core.arrays.categorical.Categorical",
      "core.arrays.datetimes.DatetimeArray",
      "core.arrays.timedeltas.TimedeltaArray",
      "core.arrays.period.PeriodArray",
      "core.arrays.interval.IntervalArray",
      "core.arrays.numpy_.PandasArray",
      "core.arrays.numpy_.NumpyExtensionArray",
      "core.arrays.integer.IntegerArray",
      ...["", "U"].flatMap((u) => [8, 16, 32, 64].map((n) => `core.arrays.integer.${u}Int${n}Dtype`)),
      "core.arrays.floating.FloatingArray",
      "core.arrays.floating.Float32Dtype",
      "core.arrays.floating.Float64Dtype",
      "core.arrays.boolean.BooleanArray",
      "core.arrays.boolean.BooleanDtype",
      "core.arrays.string_.StringArray",
      "core.arrays.string_.StringDtype",
      "core.arrays.sparse.array.SparseArray",
      "core.arrays.sparse.dtype.SparseDtype",
      "core.dtypes.dtypes.CategoricalDtype",
      "core.dtypes.dtypes.DatetimeTZDtype",
      "core.dtypes.dtypes.PeriodDtype",
      "core.dtypes.dtypes.IntervalDtype",
      "core.dtypes.dtypes.PandasDtype",
      "core.dtypes.dtypes.NumpyEADtype",
      "core.dtypes.dtypes.SparseDtype",
      "_libs.missing.NA",
      "_libs.sparse.IntIndex",
      "_libs.sparse.BlockIndex",
      "_libs.interval.Interval",
      "_libs.interval.__pyx_unpickle_IntervalMixin",
      "_libs.tslibs.timestamps._unpickle_timestamp",
      "_libs.tslibs.timedeltas._timedelta_unpickle",
      "_libs.tslibs.nattype.__nat_unpickle",
      "_libs.tslibs.period.Period",
      ...PANDAS_OFFSETS.map((o) => `_libs.tslibs.offsets.${o}`),
    ].map((p) => `pandas.${p}`),
    // pytz's unpickling factories: `_p` takes a zone only from pytz's own list of names, never as a path.
    "pytz._p",
    "pytz._UTC",
    // dateutil's relativedelta (inside pandas' DateOffset): calendar arithmetic on numbers.
    "dateutil.relativedelta.relativedelta",
  ],
};
