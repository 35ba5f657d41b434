namespace PetSitter.Email.Extensibility;

/// <summary>
/// A deferred queue that knows which businesses have mail held because their SMTP account failed (a wrong
/// password, a refused sender), under which settings, and can make that mail due at once. The dispatcher
/// uses it to release held mail as soon as the owner saves corrected settings, instead of at the account's
/// next probe (hours away for a wrong password).
/// </summary>
/// <remarks>
/// Both queues of the library implement it; a queue written by an app need not, and then held mail waits
/// for its due time as before.
/// </remarks>
public interface IAccountHeldMail
{
    /// <summary>Lists the businesses with mail held for an account-level reason and not yet due, each with the settings fingerprint it failed with.</summary>
    ValueTask<IReadOnlyList<HeldAccount>> HeldAccountsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Makes the business's held mail due at <paramref name="now"/> unless it was held under <paramref name="currentFingerprint"/>. Returns how many emails it moved.</summary>
    ValueTask<int> ReleaseAsync(string businessId, string currentFingerprint, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A business with mail held because its account failed with the settings of <paramref name="Fingerprint"/>.</summary>
/// <param name="BusinessId">The business.</param>
/// <param name="Fingerprint">The <see cref="SmtpAccountSettings.SettingsFingerprint"/> the account failed with.</param>
public readonly record struct HeldAccount(string BusinessId, string Fingerprint);
