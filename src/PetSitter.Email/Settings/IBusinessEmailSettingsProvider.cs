namespace PetSitter.Email;

/// <summary>
/// Supplies a business's email settings. The app implements it over its own store; the library asks
/// for each send, so a changed password or toggle takes effect on the next message.
/// </summary>
public interface IBusinessEmailSettingsProvider
{
    /// <summary>Gets the settings of one business.</summary>
    /// <param name="businessId">The business's id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The settings, or <see langword="null"/> when no such business exists.</returns>
    ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken);
}
