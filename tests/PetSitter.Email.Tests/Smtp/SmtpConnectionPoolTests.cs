using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Smtp;

public class SmtpConnectionPoolTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly List<FakeConnection> _opened = [];
    private int _alive;
    private int _peakAlive;

    [Fact]
    public async Task A_returned_connection_is_reused_by_the_next_rent()
    {
        var pool = Pool(capacity: 3);

        var first = await RentAsync(pool);
        await pool.ReturnAsync(first.Connection, reusable: true);
        var second = await RentAsync(pool);

        first.Reused.Should().BeFalse();
        second.Reused.Should().BeTrue();
        second.Connection.Should().BeSameAs(first.Connection);
        _opened.Should().HaveCount(1);
    }

    [Fact]
    public async Task The_cap_holds_and_a_waiting_rent_gets_the_next_returned_connection()
    {
        var pool = Pool(capacity: 3);
        var leases = new[] { await RentAsync(pool), await RentAsync(pool), await RentAsync(pool) };

        var waiting = pool.RentAsync(forceNew: false, CancellationToken.None).AsTask();
        waiting.IsCompleted.Should().BeFalse();

        await pool.ReturnAsync(leases[1].Connection, reusable: true);
        var handedOver = await waiting;

        handedOver!.Value.Connection.Should().BeSameAs(leases[1].Connection);
        handedOver.Value.Reused.Should().BeTrue();
        _opened.Should().HaveCount(3);
        pool.OpenCount.Should().Be(3);
    }

    [Fact]
    public async Task Waiting_longer_than_the_wait_timeout_fails_with_a_timeout()
    {
        var pool = Pool(capacity: 1);
        await RentAsync(pool);

        var waiting = pool.RentAsync(forceNew: false, CancellationToken.None).AsTask();
        _time.Advance(WaitTimeout - TimeSpan.FromSeconds(1));
        waiting.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));

        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_line_and_the_returned_connection_stays_idle()
    {
        var pool = Pool(capacity: 1);
        var only = await RentAsync(pool);
        using var cancel = new CancellationTokenSource();

        var waiting = pool.RentAsync(forceNew: false, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();

        await pool.ReturnAsync(only.Connection, reusable: true);
        pool.IdleCount.Should().Be(1);
        (await RentAsync(pool)).Connection.Should().BeSameAs(only.Connection);
    }

    [Fact]
    public async Task A_connection_idle_longer_than_the_idle_timeout_is_closed_and_replaced()
    {
        var pool = Pool(capacity: 3);
        var first = await RentAsync(pool);
        await pool.ReturnAsync(first.Connection, reusable: true);

        _time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        var second = await RentAsync(pool);

        second.Reused.Should().BeFalse();
        second.Connection.Should().NotBeSameAs(first.Connection);
        first.Connection.ClosedWith.Should().Be(SmtpConnectionCloseReason.Idle);
        pool.OpenCount.Should().Be(1);
    }

    [Fact]
    public async Task Returning_a_connection_closes_the_ones_that_idled_too_long()
    {
        var pool = Pool(capacity: 3);
        var old = await RentAsync(pool);
        var recent = await RentAsync(pool);
        await pool.ReturnAsync(old.Connection, reusable: true);

        _time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await pool.ReturnAsync(recent.Connection, reusable: true);

        old.Connection.ClosedWith.Should().Be(SmtpConnectionCloseReason.Idle);
        recent.Connection.ClosedWith.Should().BeNull();
        pool.OpenCount.Should().Be(1);
        pool.IdleCount.Should().Be(1);
    }

    [Fact]
    public async Task Sweeping_closes_expired_idle_connections_without_any_rent()
    {
        var pool = Pool(capacity: 3);
        var lease = await RentAsync(pool);
        await pool.ReturnAsync(lease.Connection, reusable: true);

        _time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await pool.SweepAsync();

        lease.Connection.ClosedWith.Should().Be(SmtpConnectionCloseReason.Idle);
        pool.OpenCount.Should().Be(0);
        pool.TryRetireIfUnused().Should().BeTrue("it is empty and was last used more than an idle timeout ago");
    }

    [Fact]
    public async Task A_pool_in_use_or_used_recently_is_not_retired_as_unused()
    {
        var pool = Pool(capacity: 3);
        var lease = await RentAsync(pool);
        _time.Advance(IdleTimeout * 2);
        pool.TryRetireIfUnused().Should().BeFalse("a connection is rented");

        lease.Connection.IsConnected = false;
        await pool.ReturnAsync(lease.Connection, reusable: false);
        pool.TryRetireIfUnused().Should().BeFalse("it was used just now");
    }

    [Fact]
    public async Task A_broken_connection_is_closed_on_return_and_its_slot_goes_to_a_waiter()
    {
        var pool = Pool(capacity: 1);
        var broken = await RentAsync(pool);
        var waiting = pool.RentAsync(forceNew: false, CancellationToken.None).AsTask();

        broken.Connection.IsConnected = false;
        await pool.ReturnAsync(broken.Connection, reusable: true);
        var next = (await waiting)!.Value;

        broken.Connection.ClosedWith.Should().Be(SmtpConnectionCloseReason.Broken);
        next.Reused.Should().BeFalse();
        next.Connection.Should().NotBeSameAs(broken.Connection);
        pool.OpenCount.Should().Be(1);
    }

    [Fact]
    public async Task A_failed_open_frees_its_slot()
    {
        var failing = true;
        var pool = new SmtpConnectionPool<FakeConnection>(1, IdleTimeout, WaitTimeout, _time, _ => failing
            ? Task.FromException<FakeConnection>(new SmtpTransportException(SmtpStage.Connect, null, "refused"))
            : Task.FromResult(Open()));

        await FluentActions.Awaiting(() => pool.RentAsync(false, CancellationToken.None).AsTask()).Should().ThrowAsync<SmtpTransportException>();
        failing = false;

        pool.OpenCount.Should().Be(0);
        (await pool.RentAsync(false, CancellationToken.None)).Should().NotBeNull();
    }

    [Fact]
    public async Task Forcing_a_new_connection_replaces_an_idle_one_in_its_slot()
    {
        var pool = Pool(capacity: 1);
        var first = await RentAsync(pool);
        await pool.ReturnAsync(first.Connection, reusable: true);

        var lease = (await pool.RentAsync(forceNew: true, CancellationToken.None))!.Value;

        lease.Reused.Should().BeFalse();
        first.Connection.ClosedWith.Should().Be(SmtpConnectionCloseReason.Stale);
        _peakAlive.Should().Be(1);
    }

    [Fact]
    public async Task Forcing_a_new_connection_uses_a_free_slot_and_keeps_the_idle_ones()
    {
        var pool = Pool(capacity: 2);
        var first = await RentAsync(pool);
        await pool.ReturnAsync(first.Connection, reusable: true);

        var lease = (await pool.RentAsync(forceNew: true, CancellationToken.None))!.Value;

        lease.Reused.Should().BeFalse();
        first.Connection.ClosedWith.Should().BeNull();
        pool.IdleCount.Should().Be(1);
        pool.OpenCount.Should().Be(2);
    }

    [Fact]
    public async Task Retiring_closes_idle_connections_releases_waiters_and_closes_the_rest_on_return()
    {
        var pool = Pool(capacity: 2);
        var idle = await RentAsync(pool);
        var busy = await RentAsync(pool);
        await pool.ReturnAsync(idle.Connection, reusable: true);
        var rentedAgain = await RentAsync(pool);
        var waiting = pool.RentAsync(forceNew: false, CancellationToken.None).AsTask();

        await pool.RetireAsync();
        (await waiting).Should().BeNull("a retired pool sends its waiters to the current one");
        await pool.ReturnAsync(busy.Connection, reusable: true);
        await pool.ReturnAsync(rentedAgain.Connection, reusable: true);

        busy.Connection.ClosedWith.Should().Be(SmtpConnectionCloseReason.Retired);
        rentedAgain.Connection.ClosedWith.Should().Be(SmtpConnectionCloseReason.Retired);
        pool.OpenCount.Should().Be(0);
        (await pool.RentAsync(false, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Many_concurrent_renters_never_have_more_than_the_cap_open()
    {
        var pool = Pool(capacity: 3);
        var used = 0;

        await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            var lease = (await pool.RentAsync(forceNew: i % 7 == 0, CancellationToken.None))!.Value;
            await Task.Yield();
            if (i % 5 == 0)
            {
                lease.Connection.IsConnected = false;
            }

            Interlocked.Increment(ref used);
            await pool.ReturnAsync(lease.Connection, reusable: true);
        }));

        used.Should().Be(60);
        _peakAlive.Should().BeLessThanOrEqualTo(3);
        pool.OpenCount.Should().Be(_alive);
    }

    private SmtpConnectionPool<FakeConnection> Pool(int capacity) =>
        new(capacity, IdleTimeout, WaitTimeout, _time, _ => Task.FromResult(Open()));

    private static async Task<SmtpConnectionLease<FakeConnection>> RentAsync(SmtpConnectionPool<FakeConnection> pool) =>
        (await pool.RentAsync(forceNew: false, CancellationToken.None))!.Value;

    private FakeConnection Open()
    {
        var connection = new FakeConnection(this) { LastUsed = _time.GetUtcNow() };
        lock (_opened)
        {
            _opened.Add(connection);
            _alive++;
            _peakAlive = Math.Max(_peakAlive, _alive);
        }

        return connection;
    }

    private sealed class FakeConnection(SmtpConnectionPoolTests owner) : IPooledSmtpConnection
    {
        public bool IsConnected { get; set; } = true;

        public DateTimeOffset LastUsed { get; set; }

        public SmtpConnectionCloseReason? ClosedWith { get; private set; }

        public ValueTask CloseAsync(SmtpConnectionCloseReason reason)
        {
            ClosedWith.Should().BeNull("a connection is closed once");
            ClosedWith = reason;
            lock (owner._opened)
            {
                owner._alive--;
            }

            return ValueTask.CompletedTask;
        }
    }
}
