using System.Collections.Concurrent;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

public class InMemoryDeferredEmailQueueTests
{
    private readonly InMemoryDeferredEmailQueue _queue = new();

    [Fact]
    public async Task Due_items_come_out_earliest_first()
    {
        var late = Deferred(Start.AddMinutes(30));
        var early = Deferred(Start.AddMinutes(10));
        var middle = Deferred(Start.AddMinutes(20));
        foreach (var item in new[] { late, early, middle })
        {
            await _queue.EnqueueAsync(item, CancellationToken.None);
        }

        var taken = await _queue.TakeDueAsync(Start.AddHours(1), 10, CancellationToken.None);

        taken.Should().Equal(early, middle, late);
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task Items_due_at_the_same_time_come_out_in_the_order_they_were_deferred()
    {
        var items = Enumerable.Range(0, 20).Select(_ => Deferred(Start)).ToList();
        foreach (var item in items)
        {
            await _queue.EnqueueAsync(item, CancellationToken.None);
        }

        var taken = await _queue.TakeDueAsync(Start, 100, CancellationToken.None);

        taken.Should().Equal(items);
    }

    [Fact]
    public async Task Items_not_yet_due_stay_in_the_queue()
    {
        var due = Deferred(Start);
        var notDue = Deferred(Start.AddTicks(1));
        await _queue.EnqueueAsync(notDue, CancellationToken.None);
        await _queue.EnqueueAsync(due, CancellationToken.None);

        var taken = await _queue.TakeDueAsync(Start, 10, CancellationToken.None);

        taken.Should().Equal(due);
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(1);
        (await _queue.TakeDueAsync(Start, 10, CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Take_stops_at_the_maximum()
    {
        for (var i = 0; i < 5; i++)
        {
            await _queue.EnqueueAsync(Deferred(Start.AddSeconds(i)), CancellationToken.None);
        }

        (await _queue.TakeDueAsync(Start.AddHours(1), 2, CancellationToken.None)).Should().HaveCount(2);
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(3);
    }

    [Fact]
    public async Task Take_refuses_a_maximum_below_one()
    {
        var act = async () => await _queue.TakeDueAsync(Start, 0, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Concurrent_producers_and_consumers_take_every_item_exactly_once()
    {
        const int Producers = 4;
        const int PerProducer = 2_000;
        var taken = new ConcurrentBag<DeferredEmail>();
        var producersLeft = Producers;

        // Built up front so the threads spend their time on the queue's lock, not on building messages.
        var email = PolicyTestData.Email();
        var items = Enumerable.Range(0, Producers)
            .Select(_ => Enumerable.Range(0, PerProducer).Select(i => new DeferredEmail(email, Start.AddSeconds(i % 17), Failure(SmtpFailureKind.SendLimitReached), Start)).ToList())
            .ToList();
        using var start = new Barrier(Producers + 3);

        // Dedicated threads: the queue completes synchronously, so this contends on its lock for real.
        var producers = items.Select(mine => new Thread(() =>
        {
            start.SignalAndWait();
            foreach (var item in mine)
            {
                _queue.EnqueueAsync(item, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }

            Interlocked.Decrement(ref producersLeft);
        }));
        var consumers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            while (true)
            {
                var finished = Volatile.Read(ref producersLeft) == 0;
                var batch = _queue.TakeDueAsync(Start.AddMinutes(1), 7, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                foreach (var item in batch)
                {
                    taken.Add(item);
                }

                if (batch.Count == 0)
                {
                    if (finished)
                    {
                        return;
                    }

                    Thread.Yield();
                }
            }
        }));
        var threads = producers.Concat(consumers).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        taken.Should().HaveCount(Producers * PerProducer);
        taken.ToHashSet(ReferenceEqualityComparer.Instance).SetEquals(items.SelectMany(i => i)).Should().BeTrue("every item is taken exactly once");
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(0);
    }
}
