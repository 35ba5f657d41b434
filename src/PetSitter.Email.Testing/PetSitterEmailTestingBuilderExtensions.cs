using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PetSitter.Email.Testing;

/// <summary>Configures PetSitter.Email for tests that drive time themselves (a <c>FakeTimeProvider</c>).</summary>
public static class PetSitterEmailTestingBuilderExtensions
{
    /// <summary>
    /// Makes the library run on <paramref name="clock"/> and never sleep on it while sending, so a test that
    /// awaits a send needs no one to move the clock, and moving the clock between sends cannot leave a send
    /// waiting: it registers <paramref name="clock"/> as the container's <see cref="TimeProvider"/>, sets
    /// <see cref="SendLimitOptions.MaxThrottleWait"/> to zero (a send refused by a short window, such as a
    /// preset's per-second limit, gets its fallback at once, with <see cref="SendOutcome.LimitWindow"/> saying
    /// which window) and <see cref="SmtpRetryOptions.Delay"/> to zero (a transient failure, or an
    /// attempt abandoned because the clock was moved past <see cref="SmtpRetryOptions.AttemptTimeout"/>,
    /// is retried at once).
    /// </summary>
    /// <remarks>
    /// <para>Everything time-based in the library reads <paramref name="clock"/>: send-limit windows, breaker
    /// probes, deferred mail's due times, the attempt timeout and the wait for a free connection. Move it only
    /// between sends (after awaiting them): a send still talking to a server when the clock moves past
    /// <see cref="SmtpRetryOptions.AttemptTimeout"/> (2 minutes) has its attempt abandoned and sent
    /// again. To send the deferred mail that became due, call <see cref="IDeferredEmailDispatcher.DispatchDueAsync"/>.
    /// docs/testing-server.md has the whole recipe.</para>
    /// <para>Options set after this call win, so a test can still turn a wait back on.</para>
    /// </remarks>
    /// <param name="builder">The builder returned by <c>AddPetSitterEmail</c>.</param>
    /// <param name="clock">The test's clock, typically a <c>Microsoft.Extensions.Time.Testing.FakeTimeProvider</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="clock"/> is <see langword="null"/>.</exception>
    public static IPetSitterEmailBuilder UseTestClock(this IPetSitterEmailBuilder builder, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(clock);
        builder.Services.Replace(ServiceDescriptor.Singleton(clock));
        builder.Services.Configure<PetSitterEmailOptions>(options => options.Retry.Delay = TimeSpan.Zero);
        return builder.ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.Zero);
    }
}
