using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// The account breaker shared by every instance: the state lives in Redis (one hash per business, see
/// <see cref="BreakerScripts"/>), so a wrong password found by one instance stops the others before they
/// sign in. This process's <see cref="AccountHealthTracker"/> mirrors what it reads, which keeps
/// <see cref="IAccountHealthMonitor"/> answering and raises <see cref="IAccountHealthMonitor.HealthChanged"/>
/// here; while Redis cannot be reached the local tracker decides alone.
/// </summary>
internal sealed partial class RedisAccountBreaker : IAccountBreaker
{
    private readonly RedisConnection _connection;
    private readonly AccountHealthTracker _local;
    private readonly AccountHealthOptions _options;
    private readonly RedisOutageCounter _outages;
    private readonly ILogger<RedisAccountBreaker> _logger;
    private int _inOutage;

    public RedisAccountBreaker(
        RedisConnection connection,
        AccountHealthTracker local,
        IOptions<AccountHealthOptions> options,
        RedisOutageCounter outages,
        ILogger<RedisAccountBreaker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _local = local;
        _options = options.Value;
        _outages = outages;
        _logger = logger;
    }

    public async ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult[] reply;
        try
        {
            var (state, probe) = _connection.Keys.Health(businessId);
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            reply = (RedisResult[])(await BreakerScripts.Check.EvaluateAsync(database,
                [state, probe],
                [now.ToUnixTimeMilliseconds(), credentialFingerprint, (long)_options.ProbeTimeout.TotalMilliseconds]).ConfigureAwait(false))!;
            Recovered();
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            Failed(ex);
            return _local.Check(businessId, credentialFingerprint, now);
        }

        var code = (int)reply[0];
        if (code == 0)
        {
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
        // nothing, so it costs no round trip. Only a probe's or a throttled account's success is news.
        if (_local.IsClosed(businessId, credentialFingerprint))
        {
            return;
        }

        try
        {
            var (state, probe) = _connection.Keys.Health(businessId);
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            var closed = (int)await BreakerScripts.RecordSuccess.EvaluateAsync(database, [state, probe], [credentialFingerprint]).ConfigureAwait(false) == 1;
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
        // account-level and is shared below). A failure about this message only matters to a probe in flight,
        // and only this process can have started one that this send belongs to.
        failure = _local.CountSignals(businessId, credentialFingerprint, failure, now);
        if (!failure.IsAccountLevel && _local.IsClosed(businessId, credentialFingerprint))
        {
            return;
        }

        RedisResult[] reply;
        try
        {
            var (state, probe) = _connection.Keys.Health(businessId);
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            reply = (RedisResult[])(await BreakerScripts.RecordFailure.EvaluateAsync(database,
                [state, probe],
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

    private static string ScheduleClass(SmtpFailureKind kind) => kind switch
    {
        SmtpFailureKind.SendLimitReached => "L",
        SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => "C",
        _ => "O",
    };

    /// <summary>Reads <c>{c, s, f, ra, since, n}</c> starting at <paramref name="offset"/>.</summary>
    private static AccountBreakerState ReadState(RedisResult[] reply, int offset)
    {
        var failureJson = (string?)reply[offset + 2];
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

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Redis cannot be reached for account health: each instance keeps its own breakers until it answers again")]
    private static partial void LogOutage(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Redis answers again: account breakers are shared across instances once more")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Debug, Message = "This instance probes the failing SMTP account of business {BusinessId} ({Kind}) for the fleet")]
    private static partial void LogProbe(ILogger logger, string businessId, SmtpFailureKind? kind);
}
