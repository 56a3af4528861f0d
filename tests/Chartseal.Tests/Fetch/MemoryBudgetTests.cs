using Chartseal.Fetch;

namespace Chartseal.Tests.Fetch;

/// <summary>The byte budget shared by concurrent downloads: first come first served, never a deadlock, nothing lost.</summary>
public sealed class MemoryBudgetTests
{
    [Fact]
    public async Task Reserve_WaitsWhileTheBudgetIsSpent_ThenGoesInOrder()
    {
        var budget = new MemoryBudget(100);
        using var first = budget.Lease();
        await first.ReserveAsync(70, TestContext.Current.CancellationToken);
        using var second = budget.Lease();
        using var third = budget.Lease();
        var secondWaits = second.ReserveAsync(50, TestContext.Current.CancellationToken).AsTask();
        var thirdWaits = third.ReserveAsync(10, TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);

        // The third would fit, but waits behind the second: a large reservation is not starved by small ones.
        Assert.False(secondWaits.IsCompleted);
        Assert.False(thirdWaits.IsCompleted);

        first.Dispose();
        await Task.WhenAll(secondWaits, thirdWaits);
        Assert.Equal(60, budget.InUse);
        Assert.Equal(70, budget.Peak);
    }

    [Fact]
    public async Task Reserve_LargerThanTheBudget_GoesWhenAlone()
    {
        var budget = new MemoryBudget(100);
        using var small = budget.Lease();
        await small.ReserveAsync(1, TestContext.Current.CancellationToken);
        using var huge = budget.Lease();
        var waits = huge.ReserveAsync(500, TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(waits.IsCompleted);

        small.Dispose();
        await waits;

        Assert.Equal(500, budget.InUse);
        huge.TrimTo(30);
        Assert.Equal(30, budget.InUse);
    }

    [Fact]
    public async Task Reserve_Cancelled_TakesNothing_AndLetsTheNextGo()
    {
        var budget = new MemoryBudget(100);
        using var holder = budget.Lease();
        await holder.ReserveAsync(90, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        using var cancelled = budget.Lease();
        var gaveUp = cancelled.ReserveAsync(50, cancel.Token).AsTask();
        using var next = budget.Lease();
        var nextWaits = next.ReserveAsync(10, TestContext.Current.CancellationToken).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        await nextWaits;
        Assert.Equal(100, budget.InUse);
        cancelled.Dispose();
        holder.Dispose();
        next.Dispose();
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task Lease_GrowingAgainWhileHolding_NeverWaits()
    {
        var budget = new MemoryBudget(100);
        using var a = budget.Lease();
        using var b = budget.Lease();
        await a.ReserveAsync(60, TestContext.Current.CancellationToken);
        await b.ReserveAsync(40, TestContext.Current.CancellationToken);

        // Both full and both growing: waiting would deadlock, so a lease that holds bytes takes more at once.
        await a.ReserveAsync(80, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await b.ReserveAsync(50, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(130, budget.InUse);
    }
}
