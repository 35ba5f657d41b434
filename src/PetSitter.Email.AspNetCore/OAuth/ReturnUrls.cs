namespace PetSitter.Email.AspNetCore.OAuth;

/// <summary>Only a path on the app's own site is a return address: anything else would make the endpoints an open redirect.</summary>
internal static class ReturnUrls
{
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/')
        {
            return false;
        }

        // "//evil.example" and "/\evil.example" are read by browsers as another host.
        if (url.Length > 1 && (url[1] == '/' || url[1] == '\\'))
        {
            return false;
        }

        return !url.Any(char.IsControl);
    }
}
