using System.Numerics;

namespace Chartseal.Compat;

/// <summary>
/// Go's <c>sort.Sort</c> (pattern-defeating quicksort, Go 1.22 and later), so that items that compare equal end
/// up in the same order as in Helm: <c>helm repo index</c> sorts each chart's versions with it, and two archives
/// of one version (or versions differing only in build metadata) keep the order this algorithm gives them.
/// Up to 12 items it is an insertion sort, hence stable; beyond, it is deterministic but not stable.
/// </summary>
internal static class GoSort
{
    private enum Hint
    {
        Unknown,
        Increasing,
        Decreasing,
    }

    /// <summary>Sorts <paramref name="data"/> in place so that no item is <paramref name="less"/> than the one before.</summary>
    public static void Sort<T>(IList<T> data, Func<T, T, bool> less)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(less);
        int n = data.Count;
        if (n > 1)
        {
            new Sorter<T>(data, less).PdqSort(0, n, BitLength((ulong)n));
        }
    }

    private static int BitLength(ulong x) => 64 - BitOperations.LeadingZeroCount(x);

    private readonly struct Sorter<T>(IList<T> data, Func<T, T, bool> lessThan)
    {
        private bool Less(int i, int j) => lessThan(data[i], data[j]);

        private void Swap(int i, int j) => (data[i], data[j]) = (data[j], data[i]);

        public void PdqSort(int a, int b, int limit)
        {
            const int MaxInsertion = 12;
            bool wasBalanced = true, wasPartitioned = true;
            while (true)
            {
                int length = b - a;
                if (length <= MaxInsertion)
                {
                    InsertionSort(a, b);
                    return;
                }
                if (limit == 0)
                {
                    HeapSort(a, b);
                    return;
                }
                if (!wasBalanced)
                {
                    BreakPatterns(a, b);
                    limit--;
                }
                var (pivot, hint) = ChoosePivot(a, b);
                if (hint == Hint.Decreasing)
                {
                    ReverseRange(a, b);
                    pivot = (b - 1) - (pivot - a);
                    hint = Hint.Increasing;
                }
                if (wasBalanced && wasPartitioned && hint == Hint.Increasing && PartialInsertionSort(a, b))
                {
                    return;
                }
                if (a > 0 && !Less(a - 1, pivot))
                {
                    a = PartitionEqual(a, b, pivot);
                    continue;
                }
                var (mid, alreadyPartitioned) = Partition(a, b, pivot);
                wasPartitioned = alreadyPartitioned;
                int leftLength = mid - a, rightLength = b - mid;
                int balanceThreshold = length / 8;
                if (leftLength < rightLength)
                {
                    wasBalanced = leftLength >= balanceThreshold;
                    PdqSort(a, mid, limit);
                    a = mid + 1;
                }
                else
                {
                    wasBalanced = rightLength >= balanceThreshold;
                    PdqSort(mid + 1, b, limit);
                    b = mid;
                }
            }
        }

        private void InsertionSort(int a, int b)
        {
            for (int i = a + 1; i < b; i++)
            {
                for (int j = i; j > a && Less(j, j - 1); j--)
                {
                    Swap(j, j - 1);
                }
            }
        }

        private void SiftDown(int lo, int hi, int first)
        {
            int root = lo;
            while (true)
            {
                int child = 2 * root + 1;
                if (child >= hi)
                {
                    return;
                }
                if (child + 1 < hi && Less(first + child, first + child + 1))
                {
                    child++;
                }
                if (!Less(first + root, first + child))
                {
                    return;
                }
                Swap(first + root, first + child);
                root = child;
            }
        }

        private void HeapSort(int a, int b)
        {
            int first = a, lo = 0, hi = b - a;
            for (int i = (hi - 1) / 2; i >= 0; i--)
            {
                SiftDown(i, hi, first);
            }
            for (int i = hi - 1; i >= 0; i--)
            {
                Swap(first, first + i);
                SiftDown(lo, i, first);
            }
        }

        private (int NewPivot, bool AlreadyPartitioned) Partition(int a, int b, int pivot)
        {
            Swap(a, pivot);
            int i = a + 1, j = b - 1;
            while (i <= j && Less(i, a))
            {
                i++;
            }
            while (i <= j && !Less(j, a))
            {
                j--;
            }
            if (i > j)
            {
                Swap(j, a);
                return (j, true);
            }
            Swap(i, j);
            i++;
            j--;
            while (true)
            {
                while (i <= j && Less(i, a))
                {
                    i++;
                }
                while (i <= j && !Less(j, a))
                {
                    j--;
                }
                if (i > j)
                {
                    break;
                }
                Swap(i, j);
                i++;
                j--;
            }
            Swap(j, a);
            return (j, false);
        }

        private int PartitionEqual(int a, int b, int pivot)
        {
            Swap(a, pivot);
            int i = a + 1, j = b - 1;
            while (true)
            {
                while (i <= j && !Less(a, i))
                {
                    i++;
                }
                while (i <= j && Less(a, j))
                {
                    j--;
                }
                if (i > j)
                {
                    break;
                }
                Swap(i, j);
                i++;
                j--;
            }
            return i;
        }

        private bool PartialInsertionSort(int a, int b)
        {
            const int MaxSteps = 5, ShortestShifting = 50;
            int i = a + 1;
            for (int step = 0; step < MaxSteps; step++)
            {
                while (i < b && !Less(i, i - 1))
                {
                    i++;
                }
                if (i == b)
                {
                    return true;
                }
                if (b - a < ShortestShifting)
                {
                    return false;
                }
                Swap(i, i - 1);
                if (i - a >= 2)
                {
                    for (int j = i - 1; j >= 1; j--)
                    {
                        if (!Less(j, j - 1))
                        {
                            break;
                        }
                        Swap(j, j - 1);
                    }
                }
                if (b - i >= 2)
                {
                    for (int j = i + 1; j < b; j++)
                    {
                        if (!Less(j, j - 1))
                        {
                            break;
                        }
                        Swap(j, j - 1);
                    }
                }
            }
            return false;
        }

        private void BreakPatterns(int a, int b)
        {
            int length = b - a;
            if (length < 8)
            {
                return;
            }
            ulong random = (ulong)length;
            ulong modulus = 1UL << BitLength((ulong)length);
            for (int idx = a + (length / 4 * 2) - 1; idx <= a + (length / 4 * 2) + 1; idx++)
            {
                random ^= random << 13;
                random ^= random >> 7;
                random ^= random << 17;
                int other = (int)(random & (modulus - 1));
                if (other >= length)
                {
                    other -= length;
                }
                Swap(idx, a + other);
            }
        }

        private (int Pivot, Hint Hint) ChoosePivot(int a, int b)
        {
            const int ShortestNinther = 50, MaxSwaps = 4 * 3;
            int l = b - a;
            int swaps = 0;
            int i = a + (l / 4 * 1), j = a + (l / 4 * 2), k = a + (l / 4 * 3);
            if (l >= 8)
            {
                if (l >= ShortestNinther)
                {
                    i = Median(i - 1, i, i + 1, ref swaps);
                    j = Median(j - 1, j, j + 1, ref swaps);
                    k = Median(k - 1, k, k + 1, ref swaps);
                }
                j = Median(i, j, k, ref swaps);
            }
            return swaps switch
            {
                0 => (j, Hint.Increasing),
                MaxSwaps => (j, Hint.Decreasing),
                _ => (j, Hint.Unknown),
            };
        }

        private (int, int) Order2(int a, int b, ref int swaps)
        {
            if (Less(b, a))
            {
                swaps++;
                return (b, a);
            }
            return (a, b);
        }

        private int Median(int a, int b, int c, ref int swaps)
        {
            (a, b) = Order2(a, b, ref swaps);
            (b, c) = Order2(b, c, ref swaps);
            (_, b) = Order2(a, b, ref swaps);
            return b;
        }

        private void ReverseRange(int a, int b)
        {
            for (int i = a, j = b - 1; i < j; i++, j--)
            {
                Swap(i, j);
            }
        }
    }
}
