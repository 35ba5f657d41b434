using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// The account breaker shared by every instance: the state lives in Redis (one hash per business, see
/// <see cref="BreakerScripts"/>), so a wrong password found by one instance stops the others before they
/// sign in. This process's <see cref="ILocalAccountBreaker"/> mirrors what it reads, which keeps
/// <see cref="IAccountHealthMonitor"/> answering and raises <see cref="IAccountHealthMonitor.HealthChanged"/>
/// here; while Redis cannot be reached the local tracker decides alone.
/// </summary>
/// <remarks>
/// <para>The first sign-in with an account's settings is fleet-wide: until those settings have signed in
/// somewhere, one instance holds the claim to try them (its own sends then take turns in its account lane) and
/// the others wait for its verdict, at most <see cref="RedisEmailOptions.FirstSignInWait"/>, then follow it:
/// blocked with its failure, or allowed once it signed in. They are woken by a message on
/// <see cref="RedisKeys.SignInChannel"/> rather than by polling alone, because a poll short enough not to delay
/// an invoice would cost every waiting send a round trip every few milliseconds, and a message also wakes a
/// test's instances whose clock is fake; a slow poll stays as a backstop (a published message is lost if the
/// subscription reconnects at that moment).</para>
/// <para>An account that has signed in costs one round trip per check, as before: the marker is read by the
/// same script that reads the breaker.</para>
/// </remarks>
internal sealed partial class RedisAccountBreaker : IAccountBreaker
{
    /// <summary>How long a "signed in" marker is kept after its last refresh: long, so a quiet account does not wait for a first sign-in again.</summary>
    private static readonly TimeSpan SignedInRetention = TimeSpan.FromDays(30);

    /// <summary>How often a waiting send asks Redis again when no message woke it.</summary>
    private static readonly TimeSpan WaitBackstop = TimeSpan.FromMilliseconds(250);

    private readonly RedisConnection _connection;
    private readonly ILocalAccountBreaker _local;
    private readonly AccountHealthOptions _options;
    private readonly RedisOutageCounter _outages;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisAccountBreaker> _logger;
    // Stryker disable once String : the id only has to be unique among the instances; any Guid format is.
    private readonly string _instance = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    /// <summary>Business and fingerprint pairs this instance claimed the first sign-in for and has not settled.</summary>
    private readonly ConcurrentDictionary<(string BusinessId, string Fingerprint), byte> _claimed = new();

    /// <summary>Sends waiting for a first sign-in's verdict, by business tag.</summary>
    private readonly RedisWakeups _wakeups;
    private long _longestWaitTicks;
    private int _waits;
    private int _inOutage;

    public RedisAccountBreaker(
        RedisConnection connection,
        ILocalAccountBreaker local,
        IOptions<AccountHealthOptions> options,
        RedisOutageCounter outages,
        TimeProvider time,
        ILogger<RedisAccountBreaker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _wakeups = new RedisWakeups(connection, static keys => keys.SignInChannel);
        _local = local;
        _options = options.Value;
        _outages = outages;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gets the longest time a send of this instance waited for another instance's first sign-in.</summary>
    internal TimeSpan LongestFirstSignInWait => TimeSpan.FromTicks(Interlocked.Read(ref _longestWaitTicks));

    /// <summary>Gets how many checks of this instance waited for another instance's first sign-in.</summary>
    internal int FirstSignInWaits => Volatile.Read(ref _waits);

    public async ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult[] reply;
        long waitStarted = 0;
        var waited = false;
        try
        {
            var (state, probe) = _connection.Keys.Health(businessId);
            var (signedIn, claim) = _connection.Keys.FirstSignIn(businessId);
            RedisKey[] keys = [state, probe, signedIn, claim];
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            reply = await EvaluateCheckAsync(database, keys, now, credentialFingerprint, force: false).ConfigureAwait(false);
            TaskCompletionSource? verdict = null;
            while ((int)reply[0] == 4)
            {
                // Another instance signs in first with these settings: wait for its verdict. Registered before
                // asking again, so a verdict published in between is not missed.
                if (!waited)
                {
                    waited = true;
                    waitStarted = _time.GetTimestamp();
                    await _wakeups.SubscribeAsync().ConfigureAwait(false);
                    LogWaiting(_logger, businessId);
                }
                else
                {
                    await WaitForVerdictAsync(verdict!, (long)reply[1], cancellationToken).ConfigureAwait(false);
                }

                verdict = _wakeups.For(RedisKeys.Tag(businessId));
                var force = _time.GetElapsedTime(waitStarted) >= _connection.Options.FirstSignInWait;
                reply = await EvaluateCheckAsync(database, keys, _time.GetUtcNow(), credentialFingerprint, force).ConfigureAwait(false);
            }

            Recovered();
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            Failed(ex);
            return _local.Check(businessId, credentialFingerprint, now);
        }

        if (waited)
        {
            var waitedFor = _time.GetElapsedTime(waitStarted);
            Interlocked.Increment(ref _waits);
            var ticks = Interlocked.Read(ref _longestWaitTicks);

            // Stryker disable once Equality : an equal wait stored again, or one more turn of the loop, leaves the same longest wait.
            while (waitedFor.Ticks > ticks && Interlocked.CompareExchange(ref _longestWaitTicks, waitedFor.Ticks, ticks) != ticks)
            {
                ticks = Interlocked.Read(ref _longestWaitTicks);
            }

            LogFollowed(_logger, businessId, waitedFor, (int)reply[0]);
        }

        var code = (int)reply[0];
        if (code is 0 or 3)
        {
            if (code == 3)
            {
                _claimed.TryAdd((businessId, credentialFingerprint), 0);
            }

            _local.Mirror(businessId, credentialFingerprint, AccountBreakerState.Closed, now);
            return _local.WithMarketingPause(businessId, credentialFingerprint, AccountGate.Allowed, now);
        }

        var shared = ReadState(reply, 1);
        _local.Mirror(businessId, credentialFingerprint, shared, now);
        if (code == 1)
        {
            LogProbe(_logger, businessId, shared.Failure?.Kind);
            return _local.WithMarketingPause(businessId, credentialFingerprint, AccountGate.Probe, now);
        }

        return AccountGate.Blocked(shared.Failure!, DateTimeOffset.FromUnixTimeMilliseconds((long)reply[7]));
    }

    public async ValueTask RecordSuccessAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        _local.Connected(businessId, credentialFingerprint);

        // The check just before this send found the account closed (the usual case): a success changes
        // nothing, so it costs no round trip. Only a probe's, a throttled account's or the fleet's first
        // sign-in's success is news.
        var first = _claimed.TryRemove((businessId, credentialFingerprint), out _);
        if (!first && _local.IsClosed(businessId, credentialFingerprint))
        {
            return;
        }

        try
        {
            var (state, probe) = _connection.Keys.Health(businessId);
            var (signedIn, claim) = _connection.Keys.FirstSignIn(businessId);
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            var closed = (int)await BreakerScripts.RecordSuccess.EvaluateAsync(database,
                [state, probe, signedIn, claim],
                [credentialFingerprint, Ms(SignedInRetention), _connection.Keys.SignInChannel.ToString(), RedisKeys.Tag(businessId)]).ConfigureAwait(false) == 1;
            Recovered();
            if (closed)
            {
                _local.Mirror(businessId, credentialFingerprint, AccountBreakerState.Closed, now);
            }
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            Failed(ex);
            _local.RecordSuccess(businessId, credentialFingerprint, now);
        }
    }

    public async ValueTask RecordFailureAsync(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        ArgumentNullException.ThrowIfNull(failure);

        // The spam and greeting signals are counted in this process (a fifth 421 at the greeting comes back
        // account-level and is shared below).
        failure = _local.CountSignals(businessId, credentialFingerprint, failure, now);

        // This instance's first sign-in ended in a failure about the message or the connection: the account is
        // neither proven nor refused, so the claim ends (marked signed in if the server got past sign-in). After an
        // account-level failure the breaker opens below, which ends the claim for everyone.
        if (_claimed.TryRemove((businessId, credentialFingerprint), out _) && !failure.IsAccountLevel)
        {
            await SettleFirstSignInAsync(businessId, credentialFingerprint, signedIn: failure.Stage >= SmtpStage.MailFrom).ConfigureAwait(false);
        }

        // A failure about this message only matters to a probe in flight, and only this process can
        // have started one that this send belongs to.
        if (!failure.IsAccountLevel && _local.IsClosed(businessId, credentialFingerprint))
        {
            return;
        }

        RedisResult[] reply;
        try
        {
            var (state, probe) = _connection.Keys.Health(businessId);
            var (signedIn, claim) = _connection.Keys.FirstSignIn(businessId);
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            reply = (RedisResult[])(await BreakerScripts.RecordFailure.EvaluateAsync(database,
                [state, probe, signedIn, claim],
                [
                    now.ToUnixTimeMilliseconds(),
                    credentialFingerprint,
                    failure.IsAccountLevel ? 1 : 0,
                    failure.IsTransient ? 1 : 0,
                    (int)failure.Kind,
                    ScheduleClass(failure.Kind),
                    JsonSerializer.Serialize(StoredFailure.From(failure), RedisJsonContext.Default.StoredFailure),
                    resetsAt?.ToUnixTimeMilliseconds() ?? 0,
                    Ms(_options.CredentialProbeInterval),
                    Ms(_options.InitialProbeInterval),
                    Ms(_options.MaxProbeInterval),
                    Ms(_options.DefaultThrottleDuration),
                    Ms(_connection.Options.HealthRetention),
                    _connection.Keys.SignInChannel.ToString(),
                    RedisKeys.Tag(businessId),
                ]).ConfigureAwait(false))!;
            Recovered();
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            Failed(ex);
            _local.RecordFailure(businessId, credentialFingerprint, failure, now, resetsAt, countSignals: false);
            return;
        }

        _local.Mirror(businessId, credentialFingerprint, (int)reply[0] == 0 ? AccountBreakerState.Closed : ReadState(reply, 0), now);
    }

    private static long Ms(TimeSpan span) => (long)span.TotalMilliseconds;

    private async Task<RedisResult[]> EvaluateCheckAsync(IDatabase database, RedisKey[] keys, DateTimeOffset now, string fingerprint, bool force) =>
        (RedisResult[])(await BreakerScripts.Check.EvaluateAsync(database,
            keys,
            [
                now.ToUnixTimeMilliseconds(),
                fingerprint,
                Ms(_options.ProbeTimeout),
                _instance,
                Ms(_connection.Options.FirstSignInWait),
                force ? 1 : 0,
                Ms(SignedInRetention),
            ]).ConfigureAwait(false))!;

    /// <summary>Waits until a verdict is announced, the claim's time is up, or the backstop interval passed, whichever is first.</summary>
    private async Task WaitForVerdictAsync(TaskCompletionSource verdict, long claimMsLeft, CancellationToken cancellationToken)
    {
        // Stryker disable once Equality : the server reports 0 ms left only in the claim's last millisecond, which no caller can aim at, and exactly a poll left is waited for as long either way.
        var delay = claimMsLeft > 0 && claimMsLeft < WaitBackstop.TotalMilliseconds ? TimeSpan.FromMilliseconds(claimMsLeft) : WaitBackstop;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = Task.Delay(delay, _time, timer.Token);
        await Task.WhenAny(verdict.Task, elapsed).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        await timer.CancelAsync().ConfigureAwait(false);
    }

    private async ValueTask SettleFirstSignInAsync(string businessId, string fingerprint, bool signedIn)
    {
        try
        {
            var (signedInKey, claim) = _connection.Keys.FirstSignIn(businessId);
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            await BreakerScripts.SettleFirstSignIn.EvaluateAsync(database,
                [signedInKey, claim],
                [fingerprint, _instance, signedIn ? 1 : 0, Ms(SignedInRetention), _connection.Keys.SignInChannel.ToString(), RedisKeys.Tag(businessId)]).ConfigureAwait(false);
            Recovered();
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            // The claim expires on its own; the others take over after the first-sign-in wait.
            Failed(ex);
        }
    }

    private static string ScheduleClass(SmtpFailureKind kind) => kind switch
    {
        SmtpFailureKind.SendLimitReached => "L",
        SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => "C",
        // Stryker disable once String : the script treats every class but L and C as other, whatever its letter.
        _ => "O",
    };

    /// <summary>Reads <c>{c, s, f, ra, since, n}</c> starting at <paramref name="offset"/>.</summary>
    private static AccountBreakerState ReadState(RedisResult[] reply, int offset)
    {
        var failureJson = (string?)reply[offset + 2];
        // Stryker disable once Conditional : every state the scripts write carries its failure, so the null case is not reached.
        var failure = failureJson is null ? null : JsonSerializer.Deserialize(failureJson, RedisJsonContext.Default.StoredFailure)?.ToFailure();
        return new AccountBreakerState(
            (int)reply[offset] == 2 ? CircuitState.HalfOpen : CircuitState.Open,
            (AccountHealthState)(int)reply[offset + 1],
            failure,
            DateTimeOffset.FromUnixTimeMilliseconds((long)reply[offset + 3]),
            DateTimeOffset.FromUnixTimeMilliseconds((long)reply[offset + 4]),
            (int)reply[offset + 5]);
    }

    private void Failed(Exception exception)
    {
        _outages.CountHealth();
        if (Interlocked.Exchange(ref _inOutage, 1) == 0)
        {
            LogOutage(_logger, exception);
        }
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _inOutage) == 1 && Interlocked.Exchange(ref _inOutage, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    [LoggerMessage(EventId = RedisLogEvents.Health.Outage, Level = LogLevel.Warning, Message = "Redis cannot be reached for account health: each instance keeps its own breakers until it answers again")]
    private static partial void LogOutage(ILogger logger, Exception exception);

    [LoggerMessage(EventId = RedisLogEvents.Health.Recovered, Level = LogLevel.Information, Message = "Redis answers again: account breakers are shared across instances once more")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(EventId = RedisLogEvents.Health.Waiting, Level = LogLevel.Debug, Message = "Another instance signs in first with the SMTP settings of business {BusinessId}: waiting for its verdict")]
    private static partial void LogWaiting(ILogger logger, string businessId);

    [LoggerMessage(EventId = RedisLogEvents.Health.Followed, Level = LogLevel.Debug, Message = "The first sign-in for business {BusinessId} was waited for {Waited} (gate code {Code})")]
    private static partial void LogFollowed(ILogger logger, string businessId, TimeSpan waited, int code);

    [LoggerMessage(EventId = RedisLogEvents.Health.Probe, Level = LogLevel.Debug, Message = "This instance probes the failing SMTP account of business {BusinessId} ({Kind}) for the fleet")]
    private static partial void LogProbe(ILogger logger, string businessId, SmtpFailureKind? kind);
}
