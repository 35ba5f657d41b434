using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace PetSitter.Email.Extensibility;

/// <summary>
/// One breaker per SMTP account, keyed by the business and the version of its SMTP settings
/// (<see cref="SmtpAccountSettings.SettingsFingerprint"/>). The sender asks <see cref="Check"/> before an
/// SMTP send and reports the result with <see cref="RecordSuccess"/> or <see cref="RecordFailure"/>.
/// </summary>
/// <remarks>
/// <para>
/// This is a small state machine of its own rather than Polly's circuit breaker, although it uses Polly's
/// states. Polly v8's <c>CircuitBreakerStrategyOptions</c> cannot say what an account needs:
/// <c>MinimumThroughput</c> is at least 2, so one wrong password could never open it, and it breaks on a
/// failure ratio, not on the first account-level reply; its break duration is one policy for all
/// failures, while ours comes from the provider's quota reset or the failure kind; it has no notion of
/// "the credentials changed, close now" short of a manual-control object per account; and it only
/// guards a callback it runs, while the sender must decide between SMTP, fallback and deferral before
/// running anything and report the outcome afterwards. A pipeline per account would also cost an
/// allocation-heavy object for each of thousands of businesses.
/// </para>
/// <para>
/// Every call is O(1) and takes only its account's lock; there are no timers. Healthy accounts unused
/// for an hour are dropped from memory (swept at most once an hour).
/// </para>
/// <para>
/// Two signals are read from failures that are not account-level one by one (see <see cref="CountSignals"/>):
/// <see cref="SpamSignalCount"/> spam refusals within <see cref="SpamSignalWindow"/> pause SMTP for marketing
/// only, for <see cref="MarketingPauseDuration"/> or until the settings change, while the account shows
/// <see cref="AccountHealthState.Failing"/> with <see cref="SmtpFailureKind.RejectedAsSpam"/>; and
/// <see cref="GreetingRefusalCount"/> sends ended by a 421 at the greeting within
/// <see cref="GreetingRefusalWindow"/> become <see cref="SmtpFailureKind.AccountUnavailable"/>, which opens
/// the breaker with the usual probes.
/// </para>
/// </remarks>
internal sealed partial class AccountHealthTracker : IAccountHealthMonitor, ILocalAccountBreaker
{
    internal static readonly TimeSpan IdleRetention = TimeSpan.FromHours(1);
    private const int ProbeGrowthFactor = 4;
    private const int MaxReplyLength = 500;

    /// <summary>How many spam refusals within <see cref="SpamSignalWindow"/> make the account's content and domain the problem.</summary>
    internal const int SpamSignalCount = 3;

    /// <summary>How many sends ended by a 421 at the greeting within <see cref="GreetingRefusalWindow"/> make the mailbox unavailable.</summary>
    internal const int GreetingRefusalCount = 5;

    internal static readonly TimeSpan SpamSignalWindow = TimeSpan.FromHours(1);

    /// <summary>How long marketing stays off SMTP after the spam signal when the owner changes nothing.</summary>
    internal static readonly TimeSpan MarketingPauseDuration = TimeSpan.FromDays(1);

    internal static readonly TimeSpan GreetingRefusalWindow = TimeSpan.FromMinutes(10);

    private const string SpamSignalAdvice =
        "Your email provider refused several of your emails as spam within an hour, so marketing emails are paused on your account for a day " +
        "(quotes, invoices and other emails to clients still go out). Clients may be marking your emails as spam: send marketing only to clients " +
        "who asked for it, ask whoever manages your domain to check its SPF, DKIM and DMARC records, and ask your clients to add your address " +
        "as a safe sender, as the help centre explains. Marketing resumes after a day, or as soon as you update your email settings.";

    private const string GreetingRefusedAdvice =
        "Your email provider's server keeps refusing connections (421 at the greeting), so your mailbox may be unavailable: sign in to your " +
        "webmail to check it works, and contact your email provider if this goes on. Emails use the fallback meanwhile, and the platform " +
        "tries your account again regularly.";

    private readonly ConcurrentDictionary<string, AccountEntry> _accounts = new(StringComparer.Ordinal);
    private readonly AccountHealthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountHealthTracker> _logger;
    private long _nextSweepTicks;

    /// <summary>Creates the in-process breaker; a shared breaker takes the one the container holds and mirrors its state into it.</summary>
    /// <param name="options">The breaker's options.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where state changes are logged.</param>
    public AccountHealthTracker(IOptions<AccountHealthOptions> options, TimeProvider timeProvider, ILogger<AccountHealthTracker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc/>
    public event EventHandler<AccountHealthChangedEventArgs>? HealthChanged;

    /// <summary>Gets how many accounts are held in memory (healthy ones included, until swept).</summary>
    internal int TrackedAccounts => _accounts.Count;

    /// <summary>
    /// Decides whether SMTP may be tried for the account now. A fingerprint different from the one last
    /// seen means the owner changed the credentials or settings: the account is healthy again at once.
    /// </summary>
    public AccountGate Check(string businessId, string credentialFingerprint, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        SweepIfDue(now);

        AccountHealthChangedEventArgs? change = null;
        // Assigned although every way out of the loop sets it: a mutant of the loop (while (false)) must compile, or
        // the mutation run drops every mutant of this method (docs/testing.md).
        var gate = AccountGate.Allowed;
        while (true)
        {
            var entry = _accounts.GetOrAdd(businessId, static (id, fingerprint) => new AccountEntry(id, fingerprint), credentialFingerprint);
            lock (entry.Gate)
            {
                if (entry.Removed)
                {
                    continue;
                }

                entry.LastUsed = now;
                if (!string.Equals(entry.Fingerprint, credentialFingerprint, StringComparison.Ordinal))
                {
                    entry.Fingerprint = credentialFingerprint;
                    ForgetSignals(entry);
                    change = Close(entry, now);
                    gate = AccountGate.Allowed;
                }
                else
                {
                    gate = Admit(entry, now, ref change);
                }
            }

            break;
        }

        Raise(change);
        return gate;
    }

    /// <summary>Reports that SMTP accepted a message: the account is healthy.</summary>
    public void RecordSuccess(string businessId, string credentialFingerprint, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        if (!_accounts.TryGetValue(businessId, out var entry))
        {
            return;
        }

        AccountHealthChangedEventArgs? change = null;
        lock (entry.Gate)
        {
            if (entry.Removed || !IsCurrent(entry, credentialFingerprint))
            {
                return;
            }

            entry.LastUsed = now;
            entry.GreetingRefusals = null;

            // A send let through before the quota reply proves nothing about the quota: only the reset
            // time (or a later send) closes a throttled account.
            if (entry.Circuit == CircuitState.Closed
                || (entry.Circuit == CircuitState.Open && entry.Health.State == AccountHealthState.Throttled))
            {
                return;
            }

            change = Close(entry, now);
        }

        Raise(change);
    }

    /// <summary>
    /// Reports that SMTP failed. Account-level failures open the account's breaker; others only settle a
    /// probe in flight.
    /// </summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the credentials the send used.</param>
    /// <param name="failure">The classified failure.</param>
    /// <param name="now">The current time.</param>
    /// <param name="resetsAt">For <see cref="SmtpFailureKind.SendLimitReached"/>, when the limit's window resets, if known.</param>
    /// <param name="countSignals">Whether to count the failure towards the spam and greeting signals; a caller that already did passes <see langword="false"/>.</param>
    public void RecordFailure(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt = null, bool countSignals = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        ArgumentNullException.ThrowIfNull(failure);

        if (countSignals)
        {
            failure = CountSignals(businessId, credentialFingerprint, failure, now);
        }

        AccountHealthChangedEventArgs? change = null;
        if (!failure.IsAccountLevel)
        {
            if (!_accounts.TryGetValue(businessId, out var known))
            {
                return;
            }

            lock (known.Gate)
            {
                if (known.Removed || !IsCurrent(known, credentialFingerprint) || known.Circuit != CircuitState.HalfOpen)
                {
                    return;
                }

                known.LastUsed = now;
                if (failure.Kind == SmtpFailureKind.Transient)
                {
                    // The probe proved nothing either way: the next send may probe again.
                    known.Circuit = CircuitState.Open;
                    known.RetryAt = now;
                }
                else
                {
                    // The server judged the message itself, so the account got through sign-in and sender checks.
                    change = Close(known, now);
                }
            }

            Raise(change);
            return;
        }

        while (true)
        {
            var entry = _accounts.GetOrAdd(businessId, static (id, fingerprint) => new AccountEntry(id, fingerprint), credentialFingerprint);
            lock (entry.Gate)
            {
                if (entry.Removed)
                {
                    continue;
                }

                // A send that used the previous credentials says nothing about the new ones.
                if (!IsCurrent(entry, credentialFingerprint))
                {
                    return;
                }

                entry.LastUsed = now;
                change = entry.Circuit switch
                {
                    CircuitState.Closed => Open(entry, failure, now, resetsAt, failedProbes: 0),
                    CircuitState.HalfOpen => Open(entry, failure, now, resetsAt, entry.FailedProbes + 1),
                    _ => Reinforce(entry, failure, now, resetsAt),
                };
            }

            break;
        }

        Raise(change);
    }

    /// <inheritdoc/>
    public ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<AccountGate>(cancellationToken)
            : new ValueTask<AccountGate>(Check(businessId, credentialFingerprint, now));

    /// <inheritdoc/>
    public ValueTask RecordSuccessAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RecordSuccess(businessId, credentialFingerprint, now);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask RecordFailureAsync(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, CancellationToken cancellationToken)
    {
        RecordFailure(businessId, credentialFingerprint, failure, now, resetsAt);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Counts a failure that is not account-level towards the account's signals and returns what it amounts
    /// to: the failure itself, or, for the <see cref="GreetingRefusalCount"/>th 421 at the greeting within
    /// <see cref="GreetingRefusalWindow"/>, an account-level <see cref="SmtpFailureKind.AccountUnavailable"/> to
    /// record instead. The <see cref="SpamSignalCount"/>th spam refusal within <see cref="SpamSignalWindow"/>
    /// pauses marketing here (the failure itself stays about its message). A failure past the greeting
    /// means the server let a connection in, which clears the greeting count.
    /// </summary>
    public SmtpFailure CountSignals(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now)
    {
        if (failure.IsAccountLevel || (failure.Kind != SmtpFailureKind.RejectedAsSpam && failure.Stage is null))
        {
            return failure;
        }

        var greetingRefused = failure is { Kind: SmtpFailureKind.Transient, Stage: SmtpStage.Greeting, StatusCode: 421 };
        if (!greetingRefused && failure.Kind != SmtpFailureKind.RejectedAsSpam && !_accounts.ContainsKey(businessId))
        {
            // Nothing counted for this account, so nothing to clear: no entry needed.
            return failure;
        }

        AccountHealthChangedEventArgs? change = null;
        var result = failure;
        while (true)
        {
            var entry = _accounts.GetOrAdd(businessId, static (id, fingerprint) => new AccountEntry(id, fingerprint), credentialFingerprint);
            lock (entry.Gate)
            {
                if (entry.Removed)
                {
                    continue;
                }

                if (!IsCurrent(entry, credentialFingerprint))
                {
                    return failure;
                }

                entry.LastUsed = now;
                if (greetingRefused)
                {
                    if (CountWithin(ref entry.GreetingRefusals, now, GreetingRefusalWindow) >= GreetingRefusalCount)
                    {
                        entry.GreetingRefusals = null;
                        result = new SmtpFailure(SmtpFailureKind.AccountUnavailable, isAccountLevel: true, isTransient: false, GreetingRefusedAdvice, failure.Stage, failure.StatusCode, failure.Reply)
                        {
                            RuleName = "greeting-refused-repeatedly",
                        };
                        LogGreetingEscalated(_logger, businessId, GreetingRefusalCount, GreetingRefusalWindow);
                    }
                }
                else
                {
                    if (failure.Stage > SmtpStage.Greeting)
                    {
                        entry.GreetingRefusals = null;
                    }

                    if (failure.Kind == SmtpFailureKind.RejectedAsSpam
                        && !IsMarketingPaused(entry, now)
                        && CountWithin(ref entry.SpamRefusals, now, SpamSignalWindow) >= SpamSignalCount)
                    {
                        entry.SpamRefusals = null;
                        entry.MarketingPause = new SmtpFailure(SmtpFailureKind.RejectedAsSpam, isAccountLevel: true, isTransient: false, SpamSignalAdvice, failure.Stage, failure.StatusCode, failure.Reply)
                        {
                            RuleName = "spam-signal",
                        };
                        entry.MarketingPausedUntil = now + MarketingPauseDuration;
                        LogMarketingPaused(_logger, businessId, SpamSignalCount, entry.MarketingPausedUntil);
                        if (entry.Circuit == CircuitState.Closed)
                        {
                            change = SetHealth(entry, AccountHealthState.Failing, entry.MarketingPause, entry.MarketingPausedUntil, now);
                        }
                    }
                }
            }

            break;
        }

        Raise(change);
        return result;
    }

    /// <summary>
    /// <paramref name="gate"/> (a shared breaker's verdict) with this process's marketing pause added, as
    /// <see cref="Check"/> gives it.
    /// </summary>
    public AccountGate WithMarketingPause(string businessId, string credentialFingerprint, AccountGate gate, DateTimeOffset now)
    {
        if (!gate.IsAllowed || !_accounts.TryGetValue(businessId, out var entry))
        {
            return gate;
        }

        AccountHealthChangedEventArgs? change = null;
        lock (entry.Gate)
        {
            if (!entry.Removed && IsCurrent(entry, credentialFingerprint))
            {
                change = ExpireMarketingPause(entry, now);
                if (IsMarketingPaused(entry, now))
                {
                    gate = AccountGate.WithoutMarketing(gate, entry.MarketingPause!, entry.MarketingPausedUntil);
                }
            }
        }

        Raise(change);
        return gate;
    }

    /// <summary>Clears the greeting count of an account whose send went through (a shared breaker skips <see cref="RecordSuccess"/> for a closed account).</summary>
    public void Connected(string businessId, string credentialFingerprint)
    {
        if (!_accounts.TryGetValue(businessId, out var entry))
        {
            return;
        }

        lock (entry.Gate)
        {
            if (IsCurrent(entry, credentialFingerprint))
            {
                entry.GreetingRefusals = null;
            }
        }
    }

    /// <summary>
    /// Makes this process's view of the account match the state a shared breaker holds (another instance
    /// may have opened or closed it), raising <see cref="HealthChanged"/> here when the state or kind changed.
    /// The shared store decides; this copy serves <see cref="GetHealth"/>, the events, and the fallback
    /// decisions while the shared store cannot be reached.
    /// </summary>
    public void Mirror(string businessId, string credentialFingerprint, AccountBreakerState shared, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(credentialFingerprint);
        if (shared.Circuit == CircuitState.Closed && !_accounts.ContainsKey(businessId))
        {
            // Nothing known here and nothing wrong there: no entry needed.
            return;
        }

        // Assigned for the same reason as in Check: every mutant of the loop must compile.
        AccountHealthChangedEventArgs? change = null;
        while (true)
        {
            var entry = _accounts.GetOrAdd(businessId, static (id, fingerprint) => new AccountEntry(id, fingerprint), credentialFingerprint);
            lock (entry.Gate)
            {
                if (entry.Removed)
                {
                    continue;
                }

                entry.LastUsed = now;
                if (!IsCurrent(entry, credentialFingerprint))
                {
                    ForgetSignals(entry);
                }

                entry.Fingerprint = credentialFingerprint;
                if (shared.Circuit == CircuitState.Closed || shared.Failure is null)
                {
                    change = Close(entry, now);
                }
                else
                {
                    entry.Circuit = shared.Circuit;
                    entry.Failure = shared.Failure;
                    entry.FailedProbes = shared.FailedProbes;
                    entry.RetryAt = shared.RetryAt;
                    entry.ProbeStartedAt = now;
                    change = SetHealth(entry, shared.State, shared.Failure, shared.RetryAt, now, shared.Since);
                }
            }

            break;
        }

        Raise(change);
    }

    /// <summary>Gets whether this process last saw the account closed (healthy) with these credentials.</summary>
    public bool IsClosed(string businessId, string credentialFingerprint)
    {
        if (!_accounts.TryGetValue(businessId, out var entry))
        {
            return true;
        }

        lock (entry.Gate)
        {
            return entry.Removed || entry.Circuit == CircuitState.Closed || !IsCurrent(entry, credentialFingerprint);
        }
    }

    /// <inheritdoc/>
    public AccountHealth GetHealth(string businessId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        if (!_accounts.TryGetValue(businessId, out var entry))
        {
            return AccountHealth.Healthy(businessId);
        }

        AccountHealthChangedEventArgs? change;
        AccountHealth health;
        lock (entry.Gate)
        {
            change = ExpireThrottle(entry, _time.GetUtcNow());
            health = entry.Health;
        }

        Raise(change);
        return health;
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<AccountHealth> GetUnhealthy()
    {
        var now = _time.GetUtcNow();
        var result = new List<AccountHealth>();
        List<AccountHealthChangedEventArgs>? changes = null;
        foreach (var entry in _accounts.Values)
        {
            lock (entry.Gate)
            {
                if (ExpireThrottle(entry, now) is { } change)
                {
                    (changes ??= []).Add(change);
                }

                if (!entry.Removed && !entry.Health.IsHealthy)
                {
                    result.Add(entry.Health);
                }
            }
        }

        foreach (var change in changes ?? [])
        {
            Raise(change);
        }

        return result;
    }

    /// <summary>Drops healthy accounts not used for <see cref="IdleRetention"/>; failing and throttled ones stay.</summary>
    internal void RemoveIdle(DateTimeOffset now)
    {
        foreach (var (businessId, entry) in _accounts)
        {
            lock (entry.Gate)
            {
                if (entry.Removed || entry.Circuit != CircuitState.Closed || entry.MarketingPause is not null || now - entry.LastUsed < IdleRetention)
                {
                    continue;
                }

                // Stryker disable once Boolean : only a call that took the entry from the dictionary before this sweep and locks it after reads the flag, a race between two threads no caller can arrange.
                entry.Removed = true;
                _accounts.TryRemove(new KeyValuePair<string, AccountEntry>(businessId, entry));
            }
        }
    }

    private static bool IsCurrent(AccountEntry entry, string credentialFingerprint) =>
        string.Equals(entry.Fingerprint, credentialFingerprint, StringComparison.Ordinal);

    private AccountGate Admit(AccountEntry entry, DateTimeOffset now, ref AccountHealthChangedEventArgs? change)
    {
        switch (entry.Circuit)
        {
            case CircuitState.Closed:
                change = ExpireMarketingPause(entry, now);
                return IsMarketingPaused(entry, now)
                    ? AccountGate.WithoutMarketing(AccountGate.Allowed, entry.MarketingPause!, entry.MarketingPausedUntil)
                    : AccountGate.Allowed;

            case CircuitState.Open when now < entry.RetryAt:
                return AccountGate.Blocked(entry.Failure!, entry.RetryAt);

            case CircuitState.Open when entry.Health.State == AccountHealthState.Throttled:
                // The provider told us when the window resets: trust it and let mail flow again.
                change = Close(entry, now);
                return AccountGate.Allowed;

            case CircuitState.Open:
                entry.Circuit = CircuitState.HalfOpen;
                entry.ProbeStartedAt = now;
                LogProbe(_logger, entry.BusinessId, entry.Health.Kind);
                return ProbeGate(entry, now);

            default:
                // Half-open: one probe is in flight. If it never reports back, another send may probe later.
                var probeDeadline = entry.ProbeStartedAt + _options.ProbeTimeout;
                if (now >= probeDeadline)
                {
                    entry.ProbeStartedAt = now;
                    LogProbe(_logger, entry.BusinessId, entry.Health.Kind);
                    return ProbeGate(entry, now);
                }

                return AccountGate.Blocked(entry.Failure!, probeDeadline);
        }
    }

    /// <summary>
    /// The probe's gate, carrying the marketing pause when there is one: a marketing email is not offered to
    /// the server even as a probe. It then leaves the probe unanswered, and another send probes after
    /// <see cref="AccountHealthOptions.ProbeTimeout"/>: a few minutes' delay rather than one marketing email
    /// the provider was refusing as spam.
    /// </summary>
    private static AccountGate ProbeGate(AccountEntry entry, DateTimeOffset now) =>
        IsMarketingPaused(entry, now) ? AccountGate.WithoutMarketing(AccountGate.Probe, entry.MarketingPause!, entry.MarketingPausedUntil) : AccountGate.Probe;

    private AccountHealthChangedEventArgs? Open(AccountEntry entry, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, int failedProbes)
    {
        var (state, retryAt) = Schedule(failure.Kind, now, resetsAt, failedProbes);
        entry.Circuit = CircuitState.Open;
        entry.Failure = failure;
        entry.FailedProbes = failedProbes;
        entry.RetryAt = retryAt;
        return SetHealth(entry, state, failure, retryAt, now);
    }

    /// <summary>
    /// A failure while already open comes from a send let through before the breaker opened: it must not
    /// push the next probe back, but a different kind or a later quota reset is news.
    /// </summary>
    private AccountHealthChangedEventArgs? Reinforce(AccountEntry entry, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt)
    {
        if (entry.Failure is null || entry.Failure.Kind != failure.Kind)
        {
            return Open(entry, failure, now, resetsAt, entry.FailedProbes);
        }

        if (failure.Kind == SmtpFailureKind.SendLimitReached)
        {
            var (_, retryAt) = Schedule(failure.Kind, now, resetsAt, entry.FailedProbes);
            if (retryAt > entry.RetryAt)
            {
                entry.RetryAt = retryAt;
                entry.Failure = failure;
                return SetHealth(entry, AccountHealthState.Throttled, failure, retryAt, now);
            }
        }

        return null;
    }

    private (AccountHealthState State, DateTimeOffset RetryAt) Schedule(SmtpFailureKind kind, DateTimeOffset now, DateTimeOffset? resetsAt, int failedProbes) => kind switch
    {
        SmtpFailureKind.SendLimitReached => (AccountHealthState.Throttled, resetsAt is { } reset && reset > now ? reset : now + _options.DefaultThrottleDuration),
        SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => (AccountHealthState.Failing, now + _options.CredentialProbeInterval),
        _ => (AccountHealthState.Failing, now + ProbeInterval(failedProbes)),
    };

    private TimeSpan ProbeInterval(int failedProbes)
    {
        var interval = _options.InitialProbeInterval;
        // Stryker disable once Equality : at interval == MaxProbeInterval, < and <= differ by one more growth that the cap below takes back (MaxProbeInterval is at most a day, so it cannot overflow).
        for (var i = 0; i < failedProbes && interval < _options.MaxProbeInterval; i++)
        {
            interval *= ProbeGrowthFactor;
        }

        // Stryker disable once Equality : at interval == MaxProbeInterval both branches are the same value.
        return interval < _options.MaxProbeInterval ? interval : _options.MaxProbeInterval;
    }

    private static AccountHealthChangedEventArgs? ExpireThrottle(AccountEntry entry, DateTimeOffset now) =>
        entry.Circuit == CircuitState.Open && entry.Health.State == AccountHealthState.Throttled && now >= entry.RetryAt
            ? Close(entry, now)
            : ExpireMarketingPause(entry, now);

    private static bool IsMarketingPaused(AccountEntry entry, DateTimeOffset now) =>
        entry.MarketingPause is not null && now < entry.MarketingPausedUntil;

    /// <summary>A day after the spam signal, marketing goes over SMTP again and a closed account shows healthy.</summary>
    private static AccountHealthChangedEventArgs? ExpireMarketingPause(AccountEntry entry, DateTimeOffset now)
    {
        if (entry.MarketingPause is null || now < entry.MarketingPausedUntil)
        {
            return null;
        }

        entry.MarketingPause = null;
        return entry.Circuit == CircuitState.Closed ? Close(entry, now) : null;
    }

    /// <summary>New settings are the owner acting: what was counted against the old ones, and the marketing pause, no longer apply.</summary>
    private static void ForgetSignals(AccountEntry entry)
    {
        entry.SpamRefusals = null;
        entry.GreetingRefusals = null;
        entry.MarketingPause = null;
    }

    /// <summary>Adds <paramref name="now"/> to <paramref name="times"/>, drops what fell out of the window, and returns how many remain.</summary>
    private static int CountWithin(ref List<DateTimeOffset>? times, DateTimeOffset now, TimeSpan window)
    {
        times ??= [];
        times.RemoveAll(at => now - at >= window);
        times.Add(now);
        return times.Count;
    }

    private static AccountHealthChangedEventArgs? Close(AccountEntry entry, DateTimeOffset now)
    {
        entry.Circuit = CircuitState.Closed;
        entry.Failure = null;
        entry.FailedProbes = 0;
        if (IsMarketingPaused(entry, now))
        {
            // Closed for everything but marketing: the spam signal is what the owner still has to see.
            return SetHealth(entry, AccountHealthState.Failing, entry.MarketingPause!, entry.MarketingPausedUntil, now);
        }

        entry.MarketingPause = null;
        if (entry.Health.IsHealthy)
        {
            return null;
        }

        var previous = entry.Health;
        entry.Health = AccountHealth.Healthy(entry.BusinessId, now);
        return new AccountHealthChangedEventArgs(previous, entry.Health, now);
    }

    private static AccountHealthChangedEventArgs? SetHealth(AccountEntry entry, AccountHealthState state, SmtpFailure failure, DateTimeOffset until, DateTimeOffset now, DateTimeOffset? since = null)
    {
        var previous = entry.Health;
        var same = previous.State == state && previous.Kind == failure.Kind;
        entry.Health = new AccountHealth(entry.BusinessId, state, failure.Kind, failure.Advice, same ? previous.Since : since ?? now, until, Shorten(failure.Reply))
        {
            RequiredAction = failure.RequiredAction,
        };
        return same ? null : new AccountHealthChangedEventArgs(previous, entry.Health, now);
    }

    private static string? Shorten(string? reply) =>
        reply is { Length: > MaxReplyLength } ? string.Concat(reply.AsSpan(0, MaxReplyLength), "…") : reply;

    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + IdleRetention.Ticks, due) != due)
        {
            return;
        }

        RemoveIdle(now);
    }

    private void Raise(AccountHealthChangedEventArgs? change)
    {
        if (change is null)
        {
            return;
        }

        LogChanged(_logger, change.BusinessId, change.Previous.State, change.Current.State, change.Kind);
        var handlers = HealthChanged;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<AccountHealthChangedEventArgs>>())
        {
            try
            {
                handler(this, change);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogHandlerFailed(_logger, ex, change.BusinessId);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Health.Changed, Level = LogLevel.Information, Message = "SMTP account of business {BusinessId} changed from {Previous} to {Current} ({Kind})")]
    private static partial void LogChanged(ILogger logger, string businessId, AccountHealthState previous, AccountHealthState current, SmtpFailureKind? kind);

    [LoggerMessage(EventId = LogEvents.Health.Probe, Level = LogLevel.Debug, Message = "Letting one send probe the failing SMTP account of business {BusinessId} ({Kind})")]
    private static partial void LogProbe(ILogger logger, string businessId, SmtpFailureKind? kind);

    [LoggerMessage(EventId = LogEvents.Health.HandlerFailed, Level = LogLevel.Error, Message = "A HealthChanged handler threw for business {BusinessId}; the change stands")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string businessId);

    [LoggerMessage(EventId = LogEvents.Health.MarketingPaused, Level = LogLevel.Warning, Message = "{Count} emails of business {BusinessId} were refused as spam within an hour: marketing is paused on its SMTP account until {Until} or a settings change")]
    private static partial void LogMarketingPaused(ILogger logger, string businessId, int count, DateTimeOffset until);

    [LoggerMessage(EventId = LogEvents.Health.GreetingEscalated, Level = LogLevel.Warning, Message = "The SMTP server of business {BusinessId} answered 421 at the greeting {Count} times within {Window}: the account counts as unavailable")]
    private static partial void LogGreetingEscalated(ILogger logger, string businessId, int count, TimeSpan window);

    private sealed class AccountEntry(string businessId, string fingerprint)
    {
        public readonly Lock Gate = new();
        public readonly string BusinessId = businessId;
        public string Fingerprint = fingerprint;
        public CircuitState Circuit = CircuitState.Closed;
        public SmtpFailure? Failure;
        public DateTimeOffset RetryAt;
        public DateTimeOffset ProbeStartedAt;
        public int FailedProbes;
        public AccountHealth Health = AccountHealth.Healthy(businessId);
        public DateTimeOffset LastUsed;
        public bool Removed;
        public List<DateTimeOffset>? SpamRefusals;
        public List<DateTimeOffset>? GreetingRefusals;
        public SmtpFailure? MarketingPause;
        public DateTimeOffset MarketingPausedUntil;
    }
}
